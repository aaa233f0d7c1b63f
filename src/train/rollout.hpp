// GRPO's rollouts (docs/method.md section 6): a trace replayed teacher-forced while the judge draws
// every eviction as the `foresight` policy does in sample mode (section 7: the top 2k phi, softmax,
// k draws without replacement, from the sequence's generator; the same draws for the same seed),
// each draw recorded so that its log-probability can be recomputed under new parameters. The
// sequence's policy is that sampler; an observer of the sequence records what it drew.
//
// A decision is one (layer, eviction, KV head) draw. It keeps the features x of its pool only,
// ordered as draw_log_prob wants them: the k drawn candidates in draw order, then the rest of the
// pool in index order. The pool stays the one the draw came from (see draw_log_prob.hpp), and the
// judge's phi on those rows is all its log-probability needs. Memory: a decision holds
// min(2k, n) x F floats with k <= L, so a rollout holds about 8 F bytes per (layer, KV head) for
// every token past the budget (bundled model, F = 112, 4 layers x 2 KV heads: 7 KB a token).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "judge/judge.hpp"
#include "kv/schedule.hpp"
#include "model/model.hpp"

namespace foresight {

struct RolloutDecision {
  int layer = 0, kv_head = 0;
  int drawn = 0, pooled = 0;  // k, and the pool's size min(2k, n)
  int64_t offset = 0;         // the first of its `pooled` rows of F features in Rollout::features
  // log p of the draw under the judge that drew and under the frozen reference (filled by
  // prepare_rollout).
  double old_log_prob = 0, ref_log_prob = 0;
};

struct Rollout {
  std::vector<RolloutDecision> decisions;
  std::vector<float> features;
  std::vector<float> ce;  // per-token cross-entropy under the rollout's evictions
};

// One rollout of `ids` (the first `prompt_length` the prompt) under `schedule` with its own
// generator seeded by `seed`.
Rollout run_rollout(const Model& model, const Judge& judge, std::span<const int32_t> ids,
                    int64_t prompt_length, const EvictionSchedule& schedule, uint64_t seed);

}  // namespace foresight
