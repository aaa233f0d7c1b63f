// Supervised training of the judge (docs/method.md section 6, stage one, with the project's
// additions of section 9). Each step takes `traces_per_step` training traces (an epoch-wise shuffle
// from the seed, so the order needs no saved state) and replays each teacher-forced under the
// schedule at one of the training budgets (trace g of the run at budgets[g % n], so every budget
// gets the same share), JudgeTeacher judging every eviction against the trace's future attention
// (recorded once per trace by a full-cache pass and kept). The first round(own_path x
// traces_per_step) traces of a step follow the judge's own draws, the rest the golden path. The
// step averages the pairwise hinge over all judged evictions, clips the gradient and takes an Adam
// step at the warm-up + cosine rate. Traces are independent jobs on all threads; their gradients
// are added in trace order, so a run is the same on any thread count and a resumed run repeats an
// uninterrupted one bit for bit. A judge of a standardised feature set has its input statistics
// measured on the training traces before the first step (unless it starts from a trained judge,
// whose statistics it keeps); the golden path does not depend on the judge, so a resumed run
// measures the same numbers again. The loop, checkpoints and log are those of judge_run.hpp; a
// step's log line has the loss, top-k overlap with the oracle, pairwise accuracy, harmful evictions
// and evicted future attention per decision, grad norm and lr; a held-out line has them at every
// budget, along the golden path and along the judge's own.
#pragma once
#include <filesystem>
#include <memory>
#include <vector>

#include "core/json_file.hpp"
#include "eval/trace.hpp"
#include "judge/judge.hpp"
#include "kv/schedule.hpp"
#include "model/model.hpp"
#include "train/future_cache.hpp"
#include "train/judge_run.hpp"
#include "train/judge_teacher.hpp"

namespace foresight {

struct JudgeTrainSettings {
  EvictionSchedule schedule;  // its budget is ignored when `budgets` is set
  std::vector<int> budgets;   // the budgets trained at; empty: schedule.budget alone
  int64_t steps = 200;
  int traces_per_step = 4;
  int64_t warmup_steps = 10;
  double lr = 1e-2, min_lr = 0, clip = 1.0;
  TeacherSettings teacher;  // margin, pair weighting, harm threshold (own_path is per trace)
  // Share of each step's traces replayed along the judge's own draws. 0 by default: on the
  // bundled model 0.5 solved no more held-out problems than 0 (README, ablation).
  double own_path = 0;
  // Measure the input standardisation on this many training traces (0: keep the judge's).
  int standardise_traces = 32;
  uint64_t seed = 0;
  int64_t eval_every = 50;  // held-out evaluation (also before the first step and at the end)
  CheckpointSchedule checkpoint{2, 0};

  std::vector<EvictionSchedule> schedules() const;  // one per training budget
  Json to_json() const;
};

// The judge's scorecard on one trace replayed under `schedule` (along the golden path, or the
// judge's own draws from a generator seeded by `seed` when teacher.own_path). `future` is the
// trace's future attention (recorded here when null). With a non-empty `grad` (laid out like
// judge.parameters()) the gradient of the summed decision losses is added to it.
JudgeScorecard judge_replay(const Model& model, const Judge& judge, const Trace& trace,
                            std::shared_ptr<const FutureAttention> future,
                            const EvictionSchedule& schedule, const TeacherSettings& teacher,
                            uint64_t seed = 0, std::span<float> grad = {});

// The summed scorecard over traces (held-out metrics), traces in parallel, and shared by the
// ranks of `cluster` when given (the sum is rank 0's).
JudgeScorecard evaluate_judge(const Model& model, const Judge& judge,
                              const std::vector<Trace>& traces, FutureCache& futures,
                              const EvictionSchedule& schedule, const TeacherSettings& teacher,
                              const Cluster* cluster = nullptr);

// Trains `judge` in place (its parameters are replaced by the checkpoint's on resume). Returns
// the step reached.
int64_t train_judge_sl(const Model& model, const std::vector<Trace>& train,
                       const std::vector<Trace>& heldout, Judge& judge,
                       const JudgeTrainSettings& settings, const std::filesystem::path& work_dir,
                       const JudgeTrainerOptions& options = {});

}  // namespace foresight
