#include "model/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.hpp"

namespace foresight {

void SamplingSettings::validate() const {
  if (!(temperature >= 0.0f) || !std::isfinite(temperature))
    fail_field("temperature", " must be a finite number >= 0, got {}", temperature);
  if (top_k < 0) fail_field("top_k", " must be >= 0, got {}", top_k);
  if (!(top_p > 0.0f && top_p <= 1.0f)) fail_field("top_p", " must be in (0, 1], got {}", top_p);
  if (vocab_limit < 0) fail("sampler: vocab limit must be >= 0, got {}", vocab_limit);
}

int32_t Sampler::sample(std::span<const float> logits) {
  if (settings_.vocab_limit > 0 && size_t(settings_.vocab_limit) < logits.size())
    logits = logits.first(size_t(settings_.vocab_limit));
  const auto n = static_cast<int32_t>(logits.size());
  auto greedy = [&] {  // lowest id wins ties, so greedy decoding is reproducible
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  };
  if (settings_.temperature == 0.0f || settings_.top_k == 1) return greedy();

  // Candidates sorted by logit (ties by id), cut to top-k.
  std::vector<int32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  const int32_t k = settings_.top_k > 0 ? std::min(settings_.top_k, n) : n;
  auto by_logit = [&](int32_t a, int32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  };
  std::partial_sort(order.begin(), order.begin() + k, order.end(), by_logit);
  order.resize(static_cast<size_t>(k));

  std::vector<double> probs(order.size());
  const double max = logits[order[0]];
  double sum = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    probs[i] = std::exp((logits[order[i]] - max) / settings_.temperature);
    sum += probs[i];
  }
  // Nucleus: the smallest prefix whose probability reaches top_p.
  size_t keep = probs.size();
  if (settings_.top_p < 1.0f) {
    double cum = 0;
    for (size_t i = 0; i < probs.size(); ++i) {
      cum += probs[i] / sum;
      if (cum >= settings_.top_p) {
        keep = i + 1;
        break;
      }
    }
  }
  const double total = std::accumulate(probs.begin(), probs.begin() + keep, 0.0);
  double u = rng_.uniform() * total;
  for (size_t i = 0; i < keep; ++i) {
    u -= probs[i];
    if (u < 0) return order[i];
  }
  return order[keep - 1];
}

}  // namespace foresight
