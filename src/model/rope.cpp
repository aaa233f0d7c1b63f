#include "model/rope.hpp"

#include <cmath>
#include <numbers>

namespace foresight {

Rope::Rope(const ModelConfig& c) : head_dim_(c.head_dim) {
  const int half = c.head_dim / 2;
  inv_freq_.resize(half);
  for (int j = 0; j < half; ++j) inv_freq_[j] = std::pow(c.rope_theta, -2.0 * j / c.head_dim);
  const RopeScaling& s = c.rope_scaling;
  for (std::size_t j = 0; j < s.freq_factors.size(); ++j) inv_freq_[j] /= s.freq_factors[j];
  if (s.factor == 0) return;
  // llama3: long wavelengths are slowed by `factor`, short ones kept, the band between blended.
  const double low_wavelen = s.original_max_position / s.low_freq_factor;
  const double high_wavelen = s.original_max_position / s.high_freq_factor;
  for (double& f : inv_freq_) {
    const double wavelen = 2 * std::numbers::pi / f;
    if (wavelen < high_wavelen) continue;
    if (wavelen > low_wavelen) {
      f /= s.factor;
    } else {
      const double smooth = (s.original_max_position / wavelen - s.low_freq_factor) /
                            (s.high_freq_factor - s.low_freq_factor);
      f = (1 - smooth) * f / s.factor + smooth * f;
    }
  }
}

void Rope::cos_sin(int64_t position, float* cos_sin) const {
  const int half = head_dim_ / 2;
  // Angles in double: fp32 products of large positions lose the low bits of the phase.
  for (int j = 0; j < half; ++j) {
    const double angle = static_cast<double>(position) * inv_freq_[j];
    cos_sin[j] = static_cast<float>(std::cos(angle));
    cos_sin[half + j] = static_cast<float>(std::sin(angle));
  }
}

void Rope::apply(float* x, int n_heads, int64_t position) const {
  const int half = head_dim_ / 2;
  thread_local std::vector<float> table;
  table.resize(2 * half);
  cos_sin(position, table.data());
  const float* cs = table.data();
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + static_cast<int64_t>(h) * head_dim_;
    for (int j = 0; j < half; ++j) {
      const float a = v[j], b = v[j + half], c = cs[j], s = cs[half + j];
      v[j] = a * c - b * s;
      v[j + half] = b * c + a * s;
    }
  }
}

}  // namespace foresight
