#include "lm/cross_entropy.hpp"

#include <immintrin.h>
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/simd.hpp"

namespace foresight {

double cross_entropy(const float* logits, const int32_t* targets, int64_t rows, int64_t vocab,
                     float grad_scale, float* d_logits) {
  std::vector<double> per_row(static_cast<size_t>(rows));
#pragma omp parallel
  {
    std::vector<float> e(static_cast<size_t>(vocab));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float* z = logits + r * vocab;
      const float max = *std::max_element(z, z + vocab);
      const __m256 vmax = _mm256_set1_ps(max);
      int64_t i = 0;
      for (; i + 8 <= vocab; i += 8)
        _mm256_storeu_ps(e.data() + i, exp256(_mm256_sub_ps(_mm256_loadu_ps(z + i), vmax)));
      for (; i < vocab; ++i) e[i] = std::exp(z[i] - max);
      double sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = 0; j < vocab; ++j) sum += e[j];
      per_row[r] = max + std::log(sum) - z[targets[r]];
      if (d_logits == nullptr) continue;
      const auto scale = static_cast<float>(grad_scale / sum);
      float* d = d_logits + r * vocab;
#pragma omp simd
      for (int64_t j = 0; j < vocab; ++j) d[j] = e[j] * scale;
      d[targets[r]] -= grad_scale;
    }
  }
  double total = 0;  // in row order, the same on every run
  for (double l : per_row) total += l;
  return total;
}

}  // namespace foresight
