#include "eval/fidelity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "engine/transformer.hpp"

namespace foresight {

TokenLosses teacher_forced_losses(const Model& model, Sequence& seq, std::span<const int32_t> ids) {
  const int vocab = model.config().vocab;
  TokenLosses out;
  out.ce.assign(ids.size(), 0.0f);
  out.entropy.assign(ids.size(), 0.0f);
  forward_tokens(
      model, seq, ids, LogitsWanted::All, [&](size_t first, std::span<const float> logits) {
        const size_t rows = logits.size() / size_t(vocab);
        for (size_t r = 0; r < rows; ++r) {
          const size_t next = first + r + 1;  // the token this row predicts
          if (next >= ids.size()) break;
          const float* z = logits.data() + r * vocab;
          const float max = *std::max_element(z, z + vocab);
          double sum = 0, weighted = 0;  // sum of e^(z - max), and of e^(z - max) * (z - max)
          for (int v = 0; v < vocab; ++v) {
            const double shifted = double(z[v]) - max, e = std::exp(shifted);
            sum += e;
            weighted += e * shifted;
          }
          const double log_sum = std::log(sum);
          out.ce[next] = float(log_sum - (double(z[ids[next]]) - max));
          out.entropy[next] = float(std::max(0.0, log_sum - weighted / sum));
        }
      });
  return out;
}

void add_full_cache_references(const Model& model, std::vector<Trace>& traces, int evict_every) {
  parallel_jobs(int64_t(traces.size()), [&](int64_t i) {
    Trace& t = traces[i];
    if (t.has_reference()) return;
    Sequence seq(model.config(), {.schedule = EvictionSchedule{0, evict_every, 0}});
    TokenLosses full = teacher_forced_losses(model, seq, t.ids);
    t.ce = std::move(full.ce);
    t.entropy = std::move(full.entropy);
  });
}

FidelitySummary summarize_fidelity(const std::vector<Trace>& traces,
                                   const std::vector<std::vector<float>>& policy_ce) {
  if (traces.size() != policy_ce.size())
    fail("summarize_fidelity: {} traces but {} loss arrays", traces.size(), policy_ce.size());
  struct Token {
    float entropy, full, policy;
  };
  std::vector<Token> tokens;
  for (size_t i = 0; i < traces.size(); ++i) {
    const Trace& t = traces[i];
    if (!t.has_reference() || policy_ce[i].size() != t.ids.size())
      fail("summarize_fidelity: trace '{}' lacks its reference or policy losses", t.id);
    for (size_t j = size_t(t.prompt_len); j < t.ids.size(); ++j)
      tokens.push_back({t.entropy[j], t.ce[j], policy_ce[i][j]});
  }
  FidelitySummary s;
  s.tokens = int64_t(tokens.size());
  if (tokens.empty()) return s;
  // Stable, so equal entropies split by position and the result does not depend on the sort.
  std::stable_sort(tokens.begin(), tokens.end(),
                   [](const Token& a, const Token& b) { return a.entropy < b.entropy; });
  struct Means {
    double full = 0, policy = 0;
    double rise() const { return full <= 0 ? 0.0 : policy / full - 1; }
  };
  auto means = [](std::span<const Token> part) {
    Means m;
    for (const Token& t : part) m.full += t.full, m.policy += t.policy;
    if (!part.empty()) m.full /= double(part.size()), m.policy /= double(part.size());
    return m;
  };
  const std::span<const Token> all(tokens);
  const size_t low = std::max<size_t>(1, tokens.size() * 4 / 5);
  const Means whole = means(all), low_part = means(all.first(low)),
              high_part = means(all.subspan(low));
  s.full_loss = whole.full, s.loss = whole.policy, s.loss_ratio = whole.rise() + 1;
  s.low_entropy_rise = low_part.rise(), s.high_entropy_rise = high_part.rise();
  s.low_entropy_delta = low_part.policy - low_part.full;
  s.high_entropy_delta = high_part.policy - high_part.full;
  return s;
}

}  // namespace foresight
