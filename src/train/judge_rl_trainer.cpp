#include "train/judge_rl_trainer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "optim/adamw.hpp"
#include "policy/foresight.hpp"
#include "train/rank_exchange.hpp"
#include "train/rollout.hpp"
#include "train/trace_gradients.hpp"

namespace foresight {

namespace {

// The seed of rollout j of a step: a function of (seed, step, j) alone, so a resumed run draws
// the same evictions. The base is hashed so that it shares no stream with the trace order's.
uint64_t rollout_seed(uint64_t seed, int64_t step, int64_t j) {
  const uint64_t base = Rng(seed ^ 0xd6e8feb86659fd93ull).next();
  return base + uint64_t(step) * 0x9e3779b97f4a7c15ull + uint64_t(j);
}

// How far a rollout's draws are from uniform: the sum over its decisions of log p of the draw
// minus log p of any draw from equal scores (0 when the judge cannot tell its pool apart).
double draw_sharpness(const Rollout& r, DrawLogProb kind) {
  double sum = 0;
  std::vector<float> equal;
  for (const RolloutDecision& d : r.decisions) {
    equal.assign(size_t(d.pooled), 0.0f);
    sum += d.old_log_prob - draw_log_prob(equal, d.drawn, kind);
  }
  return sum;
}

void check_traces(const std::vector<Trace>& traces, const char* what) {
  for (const Trace& t : traces)
    if (!t.has_reference())
      fail("train-judge --stage rl: {} trace '{}' has no full-cache reference CE and entropy", what,
           t.id);
}

}  // namespace

Json JudgeRlSettings::to_json() const {
  return {{"budget", schedule.budget},
          {"evict_every", schedule.evict_every},
          {"sinks", schedule.sinks},
          {"recent", schedule.recent_name()},
          {"steps", steps},
          {"traces_per_step", traces_per_step},
          {"group", group},
          {"epochs", epochs},
          {"lr", lr},
          {"clip", clip},
          {"clip_eps", clip_eps},
          {"kl_beta", kl_beta},
          {"kl_steps", kl_steps},
          {"reward", reward_name(reward)},
          {"large_rise", large_rise},
          {"log_prob", draw_log_prob_name(log_prob)},
          {"seed", seed}};
}

FidelitySummary judge_fidelity(const Model& model, const Judge& judge,
                               const std::vector<Trace>& traces, const EvictionSchedule& schedule) {
  const std::shared_ptr<const Policy> topk = make_foresight_policy(judge, false);
  std::vector<std::vector<float>> ce(traces.size());
  parallel_jobs(int64_t(traces.size()), [&](int64_t i) {
    Sequence seq(model.config(),
                 {.schedule = schedule, .policy = topk, .prompt_length = traces[i].prompt_len});
    ce[i] = teacher_forced_losses(model, seq, traces[i].ids).ce;
  });
  return summarize_fidelity(traces, ce);
}

int64_t train_judge_rl(const Model& model, const std::vector<Trace>& train,
                       const std::vector<Trace>& heldout, Judge& judge, const Judge& reference,
                       const JudgeRlSettings& s, const std::filesystem::path& work_dir,
                       const JudgeTrainerOptions& options) {
  if (train.empty()) fail("train-judge: no training traces");
  if (s.traces_per_step < 1)
    fail_field("traces_per_step", " must be >= 1, got {}", s.traces_per_step);
  if (s.group < 2)
    fail_field("group", " must be >= 2 (advantages compare rollouts), got {}", s.group);
  if (s.epochs < 1) fail_field("epochs", " must be >= 1, got {}", s.epochs);
  if (!(s.clip_eps > 0)) fail_field("clip_eps", " must be > 0, got {}", s.clip_eps);
  if (!(s.kl_beta >= 0)) fail_field("kl_beta", " must be >= 0, got {}", s.kl_beta);
  if (!(s.large_rise >= 0 && std::isfinite(s.large_rise)))
    fail_field("large_rise", " must be a finite number of nats >= 0, got {}", s.large_rise);
  if (!(reference.shape() == judge.shape()))
    fail("train-judge --stage rl: the reference judge's shape differs from the judge's");
  s.schedule.validate();
  check_traces(train, "training");
  check_traces(heldout, "held-out");

  const auto size = judge.parameters().size();
  AdamW adam(int64_t(size), AdamWSettings{0.9, 0.999, 1e-8, 0.0});
  const int P = s.traces_per_step, G = s.group;
  const int64_t first_token = first_token_after_eviction(s.schedule);
  std::vector<Rollout> rollouts(size_t(P) * G);
  std::vector<double> rewards(rollouts.size()), sharpness(rollouts.size());
  TraceGradients grads(P, size);
  std::vector<PpoSums> sums(static_cast<size_t>(P));

  // Under mpirun each rank runs the rollouts of the step's traces it owns (dealt by cost; a
  // trace's whole group, so its advantages are its own); rank 0 receives their rewards, then at
  // each epoch their gradients, sums them in trace order, updates, and hands the parameters back.
  const Cluster* cluster =
      options.cluster && options.cluster->size() > 1 ? options.cluster : nullptr;
  JudgeRun run(s, train.size());
  run.step = [&](int64_t step, const std::vector<int64_t>& picked) {
    const StepOwners owners(cluster, P, [&](int64_t q) {
      return replay_cost(int64_t(train[picked[q]].ids.size()), s.schedule);
    });
    parallel_jobs(int64_t(rollouts.size()), [&](int64_t j) {
      if (!owners.mine(j / G)) {
        rewards[j] = sharpness[j] = 0;
        return;
      }
      const Trace& t = train[picked[j / G]];
      Rollout& r = rollouts[j];
      r = run_rollout(model, judge, t.ids, t.prompt_len, s.schedule, rollout_seed(s.seed, step, j));
      prepare_rollout(judge, reference, s.log_prob, r);
      sharpness[j] = draw_sharpness(r, s.log_prob);
      rewards[j] = rollout_reward(s.reward, r.ce, t.ce, t.entropy,
                                  std::max<int64_t>(t.prompt_len, first_token), s.large_rise);
      r.ce = {};
    });
    if (cluster)
      gather_step(*cluster, owners, rewards, G), gather_step(*cluster, owners, sharpness, G);
    std::vector<double> advantages;
    double reward_sum = 0, spread_sum = 0;
    for (int q = 0; q < P; ++q) {
      const std::span<const double> group(rewards.data() + size_t(q) * G, size_t(G));
      const GroupAdvantages a = group_advantages(group);
      advantages.insert(advantages.end(), a.advantages.begin(), a.advantages.end());
      reward_sum += a.mean;
      spread_sum += a.spread;
    }

    const PpoSettings ppo{s.log_prob, s.clip_eps, step < s.kl_steps ? s.kl_beta : 0.0};
    PpoSums total;
    double norm = 0;
    for (int epoch = 0; epoch < s.epochs; ++epoch) {
      parallel_jobs(P, [&](int64_t q) {
        const std::span<float> grad = grads.cleared(q);
        sums[q] = {};
        if (!owners.mine(q)) return;
        for (int g = 0; g < G; ++g)
          sums[q].add(rollout_objective(judge, rollouts[size_t(q) * G + g],
                                        advantages[size_t(q) * G + g], ppo, grad));
      });
      if (cluster) gather_step(*cluster, owners, sums, 1, &grads);
      PpoSums epoch_sums;
      for (const PpoSums& q : sums) epoch_sums.add(q);
      total.add(epoch_sums);
      // traces within the budget: nothing was drawn (rank 0 decides for every rank)
      bool nothing_drawn = epoch_sums.decisions == 0;
      if (!nothing_drawn && (!cluster || cluster->root())) {
        const std::span<float> grad = grads.sum();
        for (float& g : grad) g /= float(epoch_sums.decisions);
        norm = clip_gradient_norm(grad, s.clip);
        if (!std::isfinite(norm))
          fail(
              "train-judge --stage rl: the gradient is not finite at step {} (the KL term "
              "overflows when the judge has moved far from the reference; lower --kl-beta or "
              "--lr)",
              step + 1);
        // No rollout differed in reward and no KL pull: nothing to learn. Adam would still move
        // the judge along its momentum, a drift away from the reference with no signal behind
        // it.
        if (norm > 0) adam.update(judge.parameters(), grad, s.lr);
      }
      if (cluster) nothing_drawn = share_parameters(*cluster, judge, nothing_drawn);
      if (nothing_drawn) break;
    }
    for (Rollout& r : rollouts) r = {};  // their features are the step's bulk of memory
    const double decisions = std::max<double>(1, double(total.decisions));  // over the epochs
    const double drawn = std::max<double>(1, double(total.decisions) / s.epochs);  // the rollouts'
    return StepReport{
        Json{{"reward", reward_sum / P},
             {"reward_std", spread_sum / P},
             {"sharpness", std::accumulate(sharpness.begin(), sharpness.end(), 0.0) / drawn},
             {"kl", total.kl / decisions},
             {"loss", total.loss / decisions},
             {"clip_fraction", double(total.clipped) / decisions},
             {"beta", ppo.kl_beta},
             {"lr", s.lr},
             {"grad_norm", norm},
             {"decisions", total.decisions / s.epochs}},
        fmt::format("reward {:.4f} kl {:.4f} clip {:.3f}", reward_sum / P, total.kl / decisions,
                    double(total.clipped) / decisions)};
  };
  if (!heldout.empty())
    run.evaluate = [&](int64_t) {
      const FidelitySummary f = judge_fidelity(model, judge, heldout, s.schedule);
      return StepReport{
          Json{{"eval", "heldout"},
               {"loss_ratio", f.loss_ratio},
               {"low_entropy_rise", f.low_entropy_rise},
               {"high_entropy_rise", f.high_entropy_rise},
               {"tokens", f.tokens}},
          fmt::format("held-out loss ratio {:.4f} (topk), low-entropy rise {:+.1f}%, "
                      "high-entropy rise {:+.1f}%",
                      f.loss_ratio, 100 * f.low_entropy_rise, 100 * f.high_entropy_rise)};
    };
  return run_judge_training(run, judge, adam, work_dir, options);
}

}  // namespace foresight
