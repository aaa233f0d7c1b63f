#include "dist/cluster.hpp"

#include <chrono>
#include <climits>
#include <cstdlib>

#include "core/error.hpp"

#ifdef FORESIGHT_MPI
#include <mpi.h>
#endif

namespace foresight {

namespace {

#ifdef FORESIGHT_MPI
// Launchers say so in the environment: Open MPI's mpirun, and PMI(x) ones (MPICH, Slurm).
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) fail("cluster: {} failed (MPI error {})", call, code);
}

// Adds the time until it goes out of scope to a counter.
struct Timed {
  double& seconds;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  ~Timed() {
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

int byte_count(size_t n) {
  if (n > size_t(INT_MAX)) fail("cluster: a message of {} bytes is over MPI's 2 GiB", n);
  return int(n);
}
#endif

}  // namespace

Cluster& Cluster::world() {
  static Cluster cluster;
  return cluster;
}

bool Cluster::built_with_mpi() {
#ifdef FORESIGHT_MPI
  return true;
#else
  return false;
#endif
}

Cluster::Cluster() {
#ifdef FORESIGHT_MPI
  if (!launched_by_mpi()) return;
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  initialised_ = true;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
#endif
}

Cluster::~Cluster() {
#ifdef FORESIGHT_MPI
  if (initialised_) MPI_Finalize();
#endif
}

std::vector<std::string> Cluster::gather(std::string_view mine) const {
  if (size_ == 1) return {std::string(mine)};
#ifdef FORESIGHT_MPI
  const Timed timed{collective_seconds_};
  const int count = byte_count(mine.size());
  std::vector<int> counts(root() ? size_t(size_) : 0), starts(counts.size());
  check(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::string all;
  if (root()) {
    size_t total = 0;
    for (size_t r = 0; r < counts.size(); ++r) starts[r] = byte_count(total), total += counts[r];
    byte_count(total);
    all.resize(total);
  }
  check(MPI_Gatherv(mine.data(), count, MPI_BYTE, all.data(), counts.data(), starts.data(),
                    MPI_BYTE, 0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  std::vector<std::string> out;
  for (size_t r = 0; r < counts.size(); ++r) out.push_back(all.substr(starts[r], counts[r]));
  return out;
#else
  return {};
#endif
}

std::string Cluster::broadcast(std::string data) const {
  if (size_ == 1) return data;
#ifdef FORESIGHT_MPI
  const Timed timed{collective_seconds_};
  int count = byte_count(data.size());
  check(MPI_Bcast(&count, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
  data.resize(size_t(count));
  check(MPI_Bcast(data.data(), count, MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast");
#endif
  return data;
}

void Cluster::abort(int code) const {
#ifdef FORESIGHT_MPI
  if (size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

}  // namespace foresight
