#include "train/rollout.hpp"

#include <algorithm>

#include "eval/fidelity.hpp"
#include "judge/eviction_sampler.hpp"
#include "judge/features.hpp"

namespace foresight {

StatMask RolloutRecorder::stats_needed() const { return kJudgeStatMask; }

void RolloutRecorder::score(const EvictionView& v, std::span<float> scores) const {
  for (int h = 0; h < v.n_kv_heads; ++h) {
    const std::span<float> out = scores.subspan(size_t(h) * v.n, size_t(v.n));
    judge_scores(judge_, v, h, x_, out);
    for (float& s : out) s = -s;
  }
}

void RolloutRecorder::choose_evictions(const EvictionView& v, int k,
                                       std::span<int32_t> evicted) const {
  const int F = judge_.shape().features();
  phi_.resize(size_t(v.n));
  for (int h = 0; h < v.n_kv_heads; ++h) {
    judge_scores(judge_, v, h, x_, phi_);  // x_: the standardised inputs, as the MLP reads them
    const std::vector<int32_t> pool = eviction_pool(phi_, k);
    const std::span<int32_t> drawn = evicted.subspan(size_t(h) * k, size_t(k));
    sample_from_pool(phi_, pool, *v.rng, drawn);

    RolloutDecision d{v.layer, h, k, int(pool.size()), int64_t(rollout_.features.size())};
    rollout_.decisions.push_back(d);
    const auto append = [&](int32_t c) {
      rollout_.features.insert(rollout_.features.end(), x_.begin() + int64_t{c} * F,
                               x_.begin() + int64_t{c + 1} * F);
    };
    for (const int32_t c : drawn) append(c);
    for (const int32_t c : pool)
      if (std::find(drawn.begin(), drawn.end(), c) == drawn.end()) append(c);
  }
}

Rollout run_rollout(const Model& model, const Judge& judge, std::span<const int32_t> ids,
                    int64_t prompt_length, const EvictionSchedule& schedule, uint64_t seed) {
  auto recorder = std::make_shared<RolloutRecorder>(judge);
  Sequence seq(model.config(), schedule, recorder, seed);
  seq.prompt_length = prompt_length;
  std::vector<float> ce = teacher_forced_losses(model, seq, ids).ce;
  Rollout rollout = std::move(recorder->rollout());
  rollout.ce = std::move(ce);
  return rollout;
}

}  // namespace foresight
