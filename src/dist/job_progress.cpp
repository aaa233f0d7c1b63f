#include "dist/job_progress.hpp"

#include <exception>

#ifdef FORESIGHT_MPI
#include <mpi.h>
#endif

namespace foresight {

namespace {
#ifdef FORESIGHT_MPI
constexpr int kTag = 7301;  // the only point-to-point messages of a job
#endif
}  // namespace

JobProgress::JobProgress(const Cluster& cluster, Progress& bar)
    : cluster_(cluster), bar_(bar), uncaught_at_start_(std::uncaught_exceptions()) {
  if (cluster.size() == 1) return;
  if (cluster.root()) ranks_.resize(size_t(cluster.size()));
  bar.share(this);
}

JobProgress::~JobProgress() {
  // The bar finishes while this is alive (it waits for the job), unless an error is unwinding.
  if (std::uncaught_exceptions() == uncaught_at_start_) bar_.finish();
  bar_.share(nullptr);
#ifdef FORESIGHT_MPI
  if (request_ != nullptr) {  // a bar that never finished (an error is unwinding)
    auto* request = static_cast<MPI_Request*>(request_);
    MPI_Request_free(request);
    delete request;
  }
#endif
}

std::pair<int64_t, int64_t> JobProgress::exchange(int64_t done, int64_t total, bool final) {
#ifdef FORESIGHT_MPI
  static_assert(sizeof(Counts) == 3 * sizeof(int64_t));
  if (!cluster_.root()) {
    auto* request = static_cast<MPI_Request*>(request_);
    if (request != nullptr) {
      int sent = 0;
      if (final) MPI_Wait(request, MPI_STATUS_IGNORE), sent = 1;
      else MPI_Test(request, &sent, MPI_STATUS_IGNORE);
      if (!sent) return {done, total};  // the last counts are still on their way
      delete request;
      request_ = nullptr;
    }
    sending_ = {done, total, final};
    if (final) {
      MPI_Send(&sending_, 3, MPI_INT64_T, 0, kTag, MPI_COMM_WORLD);
    } else {
      request = new MPI_Request;
      MPI_Isend(&sending_, 3, MPI_INT64_T, 0, kTag, MPI_COMM_WORLD, request);
      request_ = request;
    }
    return {done, total};
  }
  // Rank 0: takes what has arrived from the ranks still running; at its own end, waits for
  // every rank's last counts. Nothing is taken from a rank after its last counts: what follows
  // is its next bar's.
  for (size_t r = 1; r < ranks_.size(); ++r)
    while (!ranks_[r].final) {
      int arrived = 1;
      if (!final) MPI_Iprobe(int(r), kTag, MPI_COMM_WORLD, &arrived, MPI_STATUS_IGNORE);
      if (!arrived) break;
      MPI_Recv(&ranks_[r], 3, MPI_INT64_T, int(r), kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
  for (size_t r = 1; r < ranks_.size(); ++r) done += ranks_[r].done, total += ranks_[r].total;
#else
  (void) final;
#endif
  return {done, total};
}

}  // namespace foresight
