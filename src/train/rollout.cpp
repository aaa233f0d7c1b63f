#include "train/rollout.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "eval/fidelity.hpp"
#include "judge/eviction_sampler.hpp"
#include "judge/features.hpp"
#include "policy/foresight.hpp"

namespace foresight {

namespace {

// Records the draws of the sequence's judge sampler. The pool of a draw is recovered from the
// judge's scores, computed again here: one more judge forward per (eviction, KV head) than the
// sampler's, on the same inputs, so the same pool.
class RolloutRecorder final : public EvictionObserver {
 public:
  explicit RolloutRecorder(const Judge& judge) : judge_(judge) {}

  StatMask stats_needed() const override { return kJudgeStatMask; }
  void evicting(const EvictionView& view, int k, std::span<const int32_t> chosen) override;

  Rollout& rollout() { return rollout_; }

 private:
  const Judge& judge_;
  std::vector<float> x_, phi_;
  Rollout rollout_;
};

void RolloutRecorder::evicting(const EvictionView& v, int k, std::span<const int32_t> chosen) {
  const int F = judge_.shape().features();
  phi_.resize(size_t(v.n));
  for (int h = 0; h < v.n_kv_heads; ++h) {
    judge_scores(judge_, v, h, x_, phi_);  // x_: the standardised inputs, as the MLP reads them
    const std::vector<int32_t> pool = eviction_pool(phi_, k);
    const std::span<const int32_t> drawn = chosen.subspan(size_t(h) * k, size_t(k));
    for (const int32_t c : drawn)
      if (!std::binary_search(pool.begin(), pool.end(), c))  // the pool is in index order
        fail(
            "rollout: candidate {} of layer {}, KV head {} was evicted from outside the judge's "
            "pool: the sequence's policy is not the judge's sampler",
            c, v.layer, h);

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

}  // namespace

Rollout run_rollout(const Model& model, const Judge& judge, std::span<const int32_t> ids,
                    int64_t prompt_length, const EvictionSchedule& schedule, uint64_t seed) {
  RolloutRecorder recorder(judge);
  Sequence seq(model.config(), {.schedule = schedule,
                                .policy = make_foresight_policy(judge, true),
                                .seed = seed,
                                .prompt_length = prompt_length,
                                .observer = &recorder});
  std::vector<float> ce = teacher_forced_losses(model, seq, ids).ce;
  Rollout rollout = std::move(recorder.rollout());
  rollout.ce = std::move(ce);
  return rollout;
}

}  // namespace foresight
