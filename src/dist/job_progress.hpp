// A progress bar that counts the whole job on rank 0 (core/progress.hpp): every rank's bar
// sends its counts to rank 0 now and then, without waiting, and its last counts when it
// finishes; rank 0's bar shows the sum, and its finish waits for every rank's last counts.
// Only the thread that made the bar communicates (the main thread, which MPI allows).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "core/progress.hpp"
#include "dist/cluster.hpp"

namespace foresight {

class JobProgress final : public ProgressShare {
 public:
  // Shares `bar` over the job when it has more than one rank.
  JobProgress(const Cluster& cluster, Progress& bar);
  ~JobProgress() override;  // finishes the bar (unless an error is unwinding)
  JobProgress(const JobProgress&) = delete;
  JobProgress& operator=(const JobProgress&) = delete;

  std::pair<int64_t, int64_t> exchange(int64_t done, int64_t total, bool final) override;

 private:
  const Cluster& cluster_;
  Progress& bar_;
  int uncaught_at_start_;
  struct Counts {
    int64_t done = 0, total = 0, final = 0;
  };
  std::vector<Counts> ranks_;  // rank 0: each rank's latest counts
  Counts sending_;             // the others: the counts of the send in flight
  void* request_ = nullptr;    // the others: that send (an MPI_Request), or null
};

}  // namespace foresight
