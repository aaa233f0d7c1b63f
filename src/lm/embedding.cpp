#include "lm/embedding.hpp"

#include <algorithm>

#include "core/kernels.hpp"

namespace foresight {

void embedding_forward(const float* table, const int32_t* ids, int64_t n, int64_t hidden,
                       float* x) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i)
    std::copy_n(table + int64_t{ids[i]} * hidden, hidden, x + i * hidden);
}

void embedding_backward(const int32_t* ids, const float* dx, int64_t n, int64_t hidden,
                        float* d_table) {
  // In token order on one thread: repeated ids add up in a fixed order, and the cost (one
  // pass over dx) is small next to any matrix product.
  for (int64_t i = 0; i < n; ++i)
    add_inplace(d_table + int64_t{ids[i]} * hidden, dx + i * hidden, hidden);
}

}  // namespace foresight
