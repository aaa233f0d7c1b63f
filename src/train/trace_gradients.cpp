#include "train/trace_gradients.hpp"

#include <algorithm>

namespace foresight {

TraceGradients::TraceGradients(int traces, size_t size)
    : traces_(static_cast<size_t>(traces), std::vector<float>(size)), sum_(size) {}

std::span<float> TraceGradients::cleared(int64_t q) {
  std::vector<float>& g = traces_[size_t(q)];
  std::fill(g.begin(), g.end(), 0.0f);
  return g;
}

std::span<float> TraceGradients::sum() {
  std::fill(sum_.begin(), sum_.end(), 0.0f);
  for (const std::vector<float>& g : traces_)
    for (size_t i = 0; i < sum_.size(); ++i) sum_[i] += g[i];
  return sum_;
}

}  // namespace foresight
