// GRPO's loss on recorded rollouts (docs/method.md section 6). For every decision of a rollout,
// with A the rollout's group-normalised advantage and log p the drawn set's log-probability under
// the judge being trained (draw_log_prob.hpp, on the decision's fixed pool):
//     r = exp(log p - log p_old),   loss = -min(r A, clip(r, 1 - eps, 1 + eps) A) + beta k3,
//     k3 = exp(log p_ref - log p) - (log p_ref - log p) - 1,
// p_old being the judge that drew and p_ref the frozen supervised judge (k3 estimates the KL
// divergence from the reference and is >= 0). The gradient is taken by hand with respect to
// log p, then to the pool's phi, then through judge_backward.
#pragma once
#include <cstdint>
#include <span>

#include "judge/judge.hpp"
#include "train/draw_log_prob.hpp"
#include "train/rollout.hpp"

namespace foresight {

struct PpoSettings {
  DrawLogProb log_prob = DrawLogProb::Exact;
  double clip_eps = 0.2;
  double kl_beta = 0;
};

// One decision's loss and its derivative with respect to log p. `clipped`: the clip is active,
// i.e. the clipped term is the smaller one and the ratio has no gradient (A > 0 and
// r > 1 + eps, or A < 0 and r < 1 - eps).
struct PpoTerm {
  double loss = 0, dlog_prob = 0, kl = 0;
  bool clipped = false;
};
PpoTerm ppo_term(double log_prob, double old_log_prob, double ref_log_prob, double advantage,
                 double clip_eps, double kl_beta);

// Fills every decision's old_log_prob under `judge` (the one that drew it) and ref_log_prob
// under `reference`.
void prepare_rollout(const Judge& judge, const Judge& reference, DrawLogProb kind,
                     Rollout& rollout);

struct PpoSums {
  double loss = 0, kl = 0;  // summed over decisions
  int64_t decisions = 0, clipped = 0;
  void add(const PpoSums& o);
};

// The summed loss of the rollout's decisions under `judge`; with a non-empty `grad` (laid out
// like judge.parameters()) the gradient of that sum is added to it.
PpoSums rollout_objective(const Judge& judge, const Rollout& rollout, double advantage,
                          const PpoSettings& settings, std::span<float> grad = {});

}  // namespace foresight
