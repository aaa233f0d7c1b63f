// Independent jobs spread over the OpenMP threads.
#pragma once
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>

#include "core/single_threaded_blas.hpp"

namespace foresight {

// Calls job(i) for every i in [0, n), one index at a time per thread (jobs differ in length).
// An exception cannot cross an OpenMP region, so the first one thrown is kept, the jobs not yet
// started are skipped, and it is rethrown here once every thread has stopped. Parallel regions
// inside a job run on that job's thread alone (OpenMP does not nest by default), except when
// there is a single job: it runs on the caller's thread, its own regions on every thread.
// OpenBLAS stays on each job's thread, as the jobs' products expect (SingleThreadedBlas).
template <typename Job>
void parallel_jobs(int64_t n, Job&& job) {
  if (n == 1) return job(0);
  const SingleThreadedBlas one_thread;
  std::exception_ptr error;
  std::mutex error_mutex;
  std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t i = 0; i < n; ++i) {
    if (failed.load(std::memory_order_relaxed)) continue;
    try {
      job(i);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  }
  if (error) std::rethrow_exception(error);
}

// Calls row(r) for every r in [0, n), split evenly over the threads when there are enough rows
// to share: the per-row work of a forward pass (norms, rotations, activations), which must not
// throw.
template <typename Row>
void parallel_rows(int64_t n, Row&& row) {
#pragma omp parallel for schedule(static) if (n >= 4)
  for (int64_t r = 0; r < n; ++r) row(r);
}

}  // namespace foresight
