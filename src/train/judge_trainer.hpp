// Supervised training of the judge (SPEC section 6, stage one). Each step takes
// `traces_per_step` training traces (an epoch-wise shuffle from the seed, so the order needs no
// saved state), replays each teacher-forced along the golden path (a full-cache pass records
// its future attention, then GoldenTeacher judges every eviction), averages the pairwise hinge
// over all judged evictions of the step, clips the gradient and takes an Adam step at the
// warm-up + cosine rate. Traces are independent jobs on all threads; their gradients are added
// in trace order, so a run is the same on any thread count and a resumed run repeats an
// uninterrupted one bit for bit. The loop, checkpoints and log are those of judge_run.hpp; a
// step's log line has the loss, top-k overlap with the oracle, pairwise accuracy, grad norm and
// lr.
#pragma once
#include <filesystem>
#include <vector>

#include "core/json_file.hpp"
#include "eval/trace.hpp"
#include "judge/judge.hpp"
#include "kv/schedule.hpp"
#include "model/model.hpp"
#include "train/golden_teacher.hpp"
#include "train/judge_run.hpp"

namespace foresight {

struct JudgeTrainSettings {
  EvictionSchedule schedule;
  int64_t steps = 200;
  int traces_per_step = 4;
  int64_t warmup_steps = 10;
  double lr = 1e-2, min_lr = 0, clip = 1.0;
  float margin = 0.01f;
  uint64_t seed = 0;
  int64_t eval_every = 50;  // held-out evaluation (also before the first step and at the end)
  CheckpointSchedule checkpoint{2, 0};

  Json to_json() const;
};

// The judge's scorecard on one trace replayed along the golden path; with a non-empty `grad`
// (laid out like judge.parameters()) the gradient of the summed decision losses is added to it.
JudgeScorecard judge_on_golden_path(const Model& model, const Judge& judge,
                                    std::span<const int32_t> ids, const EvictionSchedule& schedule,
                                    float margin, std::span<float> grad = {});

// The summed scorecard over traces (held-out metrics), traces in parallel.
JudgeScorecard evaluate_judge(const Model& model, const Judge& judge,
                              const std::vector<Trace>& traces, const EvictionSchedule& schedule,
                              float margin);

// Trains `judge` in place (its parameters are replaced by the checkpoint's on resume). Returns
// the step reached.
int64_t train_judge_sl(const Model& model, const std::vector<Trace>& train,
                       const std::vector<Trace>& heldout, Judge& judge,
                       const JudgeTrainSettings& settings, const std::filesystem::path& work_dir,
                       const JudgeTrainerOptions& options = {});

}  // namespace foresight
