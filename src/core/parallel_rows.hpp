// Sums over rows (the norms' weight gradients over a batch, the gradient norm over a buffer)
// that come out the same on every run: each thread sums a fixed block of rows into its own
// partial, and the partials are added in thread order. An OpenMP reduction would add them in
// whatever order threads finish.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include <omp.h>

namespace foresight {

// body(row_begin, row_end, partial) runs on every thread with a zeroed partial[width]; the
// partials are then added to out[width]. Inside a parallel region: one call over all rows.
template <typename Body>
void parallel_rows_sum(int64_t rows, int64_t width, float* out, Body&& body) {
  const int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  std::vector<float> partials(static_cast<size_t>(threads * width), 0.0f);
  int used = 1;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), n = omp_get_num_threads();
    if (t == 0) used = n;
    const int64_t per = (rows + n - 1) / n;
    const int64_t begin = std::min(rows, t * per), end = std::min(rows, begin + per);
    body(begin, end, partials.data() + t * width);
  }
  for (int t = 0; t < used; ++t)
    for (int64_t i = 0; i < width; ++i) out[i] += partials[t * width + i];
}

}  // namespace foresight
