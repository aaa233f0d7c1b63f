// The processes of one job. A command runs as one process, unless mpirun started it in a build
// with MPI (FORESIGHT_MPI): then every rank runs the same command, owns the items (traces,
// problems) whose index modulo the number of ranks is its rank, and rank 0 gathers what the
// ranks made and writes it. Only the main thread communicates.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

class Cluster {
 public:
  // This process's place in its job, found on first use (MPI is initialised only when mpirun
  // or another launcher started the process).
  static Cluster& world();
  // Whether this build can span processes (FORESIGHT_MPI); without it every job is one.
  static bool built_with_mpi();
  ~Cluster();  // MPI_Finalize
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }
  // Whether item `i` of a job is this rank's (the items are dealt in turn).
  bool owns(int64_t i) const { return i % size_ == rank_; }
  // How many of items [0, n) are this rank's.
  int64_t share(int64_t n) const { return n > rank_ ? (n - rank_ + size_ - 1) / size_ : 0; }

  // Collective: every rank's bytes, in rank order, on rank 0; an empty list on the others.
  std::vector<std::string> gather(std::string_view mine) const;
  // Collective: rank 0's bytes on every rank.
  std::string broadcast(std::string data) const;
  // Ends every rank of the job with `code`: a rank that failed must not leave the others
  // waiting in a collective. One process: std::exit.
  [[noreturn]] void abort(int code) const;

  // Seconds this rank has spent in the collectives: sending, receiving and waiting for the
  // slowest rank.
  double collective_seconds() const { return collective_seconds_; }

 private:
  Cluster();
  int rank_ = 0, size_ = 1;
  mutable double collective_seconds_ = 0;
  bool initialised_ = false;  // MPI_Init was called here
};

}  // namespace foresight
