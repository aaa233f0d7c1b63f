// Reinforcement of the judge by GRPO over the eviction MDP (docs/method.md section 6, stage two).
// Each step takes `traces_per_step` training traces (the same epoch-wise shuffle as the supervised
// stage) and runs `group` rollouts of each (rollout.hpp): the judge draws every eviction, each
// rollout from its own generator seeded by (seed, step, rollout). A rollout's reward compares its
// per-token CE with the trace's full-cache reference (rollout_reward.hpp); advantages are
// normalised within each trace's group. Then `epochs` Adam steps, each on the whole batch: the
// PPO-clipped loss plus beta k3 to the frozen reference judge (ppo_objective.hpp), averaged over
// every decision of every rollout, the gradient clipped to norm `clip`. beta is kl_beta for the
// first kl_steps steps, then 0. Rollouts run on all threads; the loss's gradients are summed per
// trace and added in trace order, so a run is the same on any thread count and a resumed run
// repeats an uninterrupted one bit for bit.
//
// The loop, checkpoints and log are judge_run.hpp's. A step's log line: the mean reward, the
// standard deviation of the rewards within a group (mean over groups), the KL estimate and the
// loss (means over decisions and epochs), the share of decisions clipped, beta, lr, the last
// epoch's gradient norm, and the draws' sharpness (per decision, log p of the draw minus log p
// of the same draw from equal scores: 0 means the judge draws its pool uniformly). Held-out
// evaluations log the loss ratio of the judge in topk mode against the full cache and its
// low/high-entropy rises (and, with JudgeTrainerOptions::accuracy, the task accuracy).
#pragma once
#include <filesystem>
#include <vector>

#include "core/json_file.hpp"
#include "eval/fidelity.hpp"
#include "eval/trace.hpp"
#include "judge/judge.hpp"
#include "kv/schedule.hpp"
#include "model/model.hpp"
#include "train/judge_run.hpp"
#include "train/ppo_objective.hpp"
#include "train/rollout_reward.hpp"

namespace foresight {

struct JudgeRlSettings {
  EvictionSchedule schedule;
  int64_t steps = 250;
  int traces_per_step = 32, group = 8, epochs = 4;
  double lr = 3e-4, clip = 1.0;
  double clip_eps = 0.2, kl_beta = 0.05;
  int64_t kl_steps = 100;
  RewardKind reward = RewardKind::Squared;
  double large_rise = 1.5;  // nats (rollout_reward.hpp)
  DrawLogProb log_prob = DrawLogProb::Exact;
  uint64_t seed = 0;
  int64_t eval_every = 50;  // held-out evaluation (also before the first step and at the end)
  CheckpointSchedule checkpoint{2, 0};

  Json to_json() const;
};

// The judge's fidelity in topk mode against the full cache over traces that carry their
// full-cache reference, traces in parallel.
FidelitySummary judge_fidelity(const Model& model, const Judge& judge,
                               const std::vector<Trace>& traces, const EvictionSchedule& schedule);

// Trains `judge` in place (its parameters are replaced by the checkpoint's on resume);
// `reference` is the frozen supervised judge of the KL term. Every trace must carry its
// full-cache reference (add_full_cache_references). Returns the step reached.
int64_t train_judge_rl(const Model& model, const std::vector<Trace>& train,
                       const std::vector<Trace>& heldout, Judge& judge, const Judge& reference,
                       const JudgeRlSettings& settings, const std::filesystem::path& work_dir,
                       const JudgeTrainerOptions& options = {});

}  // namespace foresight
