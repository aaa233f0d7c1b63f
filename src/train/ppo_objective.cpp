#include "train/ppo_objective.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace foresight {

namespace {

// log p of a decision's draw under `judge`; with `dphi` sized to the pool, also d log p / d phi,
// and `pre` keeps the forward pass for judge_backward.
double decision_log_prob(const Judge& judge, const Rollout& rollout, const RolloutDecision& d,
                         DrawLogProb kind, std::vector<float>& phi, std::vector<float>& pre,
                         std::span<float> dphi = {}) {
  phi.resize(size_t(d.pooled));
  pre.resize(size_t(d.pooled) * size_t(judge.shape().hidden));
  judge_forward(judge.head(d.layer, d.kv_head), rollout.features.data() + d.offset, d.pooled,
                phi.data(), pre.data());
  return draw_log_prob(phi, d.drawn, kind, dphi);
}

}  // namespace

PpoTerm ppo_term(double log_prob, double old_log_prob, double ref_log_prob, double advantage,
                 double clip_eps, double kl_beta) {
  PpoTerm t;
  const double ratio = std::exp(log_prob - old_log_prob);
  const double unclipped = ratio * advantage;
  const double clipped = std::clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantage;
  t.clipped = clipped < unclipped;
  t.loss = -std::min(unclipped, clipped);
  t.dlog_prob = t.clipped ? 0 : -unclipped;  // d(r A)/d log p = r A
  const double rho = ref_log_prob - log_prob;
  t.kl = std::exp(rho) - rho - 1;
  t.loss += kl_beta * t.kl;
  t.dlog_prob += kl_beta * (1 - std::exp(rho));  // d k3 / d log p
  return t;
}

void prepare_rollout(const Judge& judge, const Judge& reference, DrawLogProb kind,
                     Rollout& rollout) {
  std::vector<float> phi, pre;
  for (RolloutDecision& d : rollout.decisions) {
    d.old_log_prob = decision_log_prob(judge, rollout, d, kind, phi, pre);
    d.ref_log_prob = decision_log_prob(reference, rollout, d, kind, phi, pre);
  }
}

void PpoSums::add(const PpoSums& o) {
  loss += o.loss;
  kl += o.kl;
  decisions += o.decisions;
  clipped += o.clipped;
}

PpoSums rollout_objective(const Judge& judge, const Rollout& rollout, double advantage,
                          const PpoSettings& s, std::span<float> grad) {
  PpoSums sums;
  std::vector<float> phi, pre, dphi;
  for (const RolloutDecision& d : rollout.decisions) {
    dphi.resize(grad.empty() ? 0 : size_t(d.pooled));
    const double log_p = decision_log_prob(judge, rollout, d, s.log_prob, phi, pre, dphi);
    const PpoTerm t =
        ppo_term(log_p, d.old_log_prob, d.ref_log_prob, advantage, s.clip_eps, s.kl_beta);
    sums.loss += t.loss;
    sums.kl += t.kl;
    sums.decisions += 1;
    sums.clipped += t.clipped;
    if (grad.empty() || t.dlog_prob == 0) continue;
    for (float& g : dphi) g = float(g * t.dlog_prob);
    judge_backward(judge.head(d.layer, d.kv_head), rollout.features.data() + d.offset, pre.data(),
                   dphi.data(), d.pooled, Judge::head_in(grad, judge.shape(), d.layer, d.kv_head));
  }
  return sums;
}

}  // namespace foresight
