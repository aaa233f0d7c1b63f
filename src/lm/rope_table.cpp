#include "lm/rope_table.hpp"

#include "core/error.hpp"
#include "model/rope.hpp"

namespace foresight {

RopeTable::RopeTable(const ModelConfig& config, int64_t positions)
    : head_dim_(config.head_dim), positions_(positions) {
  const Rope rope(config);
  cos_sin_.resize(static_cast<size_t>(positions * head_dim_));
  for (int64_t p = 0; p < positions; ++p) rope.cos_sin(p, cos_sin_.data() + p * head_dim_);
}

void RopeTable::rotate(float* x, int n_heads, int64_t position, bool inverse) const {
  if (position < 0 || position >= positions_)
    fail("RoPE position {} is outside the table of {} positions", position, positions_);
  const int half = head_dim_ / 2;
  const float* c = cos_sin_.data() + position * head_dim_;
  const float* s = c + half;
  const float sign = inverse ? -1.0f : 1.0f;
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + static_cast<int64_t>(h) * head_dim_;
#pragma omp simd
    for (int j = 0; j < half; ++j) {
      const float a = v[j], b = v[j + half], sj = sign * s[j];
      v[j] = a * c[j] - b * sj;
      v[j + half] = b * c[j] + a * sj;
    }
  }
}

}  // namespace foresight
