// Teacher-forced fidelity: how much a policy's evictions raise the model's loss on known token
// sequences, against the full cache (docs/method.md section 4's loss ratio and section 8's entropy
// split).
#pragma once
#include <span>
#include <vector>

#include "engine/sequence.hpp"
#include "eval/trace.hpp"
#include "model/model.hpp"

namespace foresight {

struct TokenLosses {
  std::vector<float> ce, entropy;  // aligned with the ids; index 0 is 0 (nothing predicts it)
};

// Runs `ids` through the model under the sequence's schedule and policy (prefill and replay are
// the same chunked loop) and returns each token's cross-entropy and the entropy of its
// prediction, in nats.
TokenLosses teacher_forced_losses(const Model& model, Sequence& sequence,
                                  std::span<const int32_t> ids);

// Gives every trace without its full-cache reference (a JSONL trace) its per-token CE and
// entropy from a full-cache pass in chunks of `evict_every`, traces in parallel.
void add_full_cache_references(const Model& model, std::vector<Trace>& traces, int evict_every);

struct FidelitySummary {
  int64_t tokens = 0;              // scored (non-prompt) tokens over all traces
  double full_loss = 0, loss = 0;  // mean cross-entropy with the full cache and the policy
  double loss_ratio = 0;           // loss / full_loss
  // Relative rise of the mean loss (policy / full - 1) on the 80% of tokens whose full-cache
  // prediction has the lowest entropy, and on the 20% with the highest (the paper's Table 1).
  double low_entropy_rise = 0, high_entropy_rise = 0;
  // The same rises in nats per token (policy - full): the readable measure for a model whose
  // full-cache loss is near zero, where a relative rise is huge whatever the policy.
  double low_entropy_delta = 0, high_entropy_delta = 0;
};

// Pools the scored tokens of every trace; `traces` must carry their full-cache reference and
// `policy_ce[i]` is trace i's per-token cross-entropy under the policy (aligned with its ids).
FidelitySummary summarize_fidelity(const std::vector<Trace>& traces,
                                   const std::vector<std::vector<float>>& policy_ce);

}  // namespace foresight
