// The configuration of a training run, read from a JSON file:
//
//   {
//     "seed": 1,
//     "model": {"layers": 4, "hidden": 256, "heads": 4, "kv_heads": 2, "head_dim": 64,
//               "intermediate": 768, "rope_theta": 10000, "max_positions": 4096,
//               "rms_eps": 1e-6, "init_std": 0.02, "qk_norm_init": 1.0, "init": "model_dir",
//               "fresh_tokens": "QRS"},
//     "optimizer": {"steps": 5000, "lr": 2e-3, "min_lr": 2e-4, "warmup_steps": 100,
//                   "weight_decay": 0.1, "clip": 1.0, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8},
//     "batch": {"sequences": 16, "tokens": 16384},
//     "data": {"train": ["train.jsonl"], "max_tokens": 2048,
//              "curriculum": {"start_tokens": 256, "ramp_steps": 2000}},
//     "eval": {"heldout": "heldout.jsonl", "every": 200, "max_examples": 256,
//              "accuracy_every": 1000, "accuracy_examples": 30},
//     "checkpoint_minutes": 5, "checkpoint_every": 0,
//     "log_every": 10
//   }
//
// Only data.train and optimizer.steps are required. Paths are relative to the config file's
// folder. An unknown key or a bad value is an Error naming the file and the key.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json_file.hpp"
#include "lm/live_mask.hpp"
#include "lm/lm_parameters.hpp"
#include "optim/adamw.hpp"
#include "optim/checkpoint_schedule.hpp"
#include "optim/lr_schedule.hpp"

namespace foresight {

struct BatchLimits {
  int64_t sequences = 16;  // at most this many sequences per step
  int64_t tokens = 16384;  // and at most this many input tokens
};

// Examples longer than max_tokens (input tokens: prompt + trace) are dropped when read. The
// curriculum admits only examples up to a length cap that grows linearly from start_tokens
// to max_tokens over ramp_steps; longer ones wait until it reaches them. start_tokens 0: no
// curriculum. live_mask: the share of examples read through an evicting cache's view
// (lm/live_mask.hpp).
struct DataSettings {
  std::vector<std::filesystem::path> train;
  int64_t max_tokens = 0;  // 0 in the file: model.max_positions
  int64_t curriculum_start_tokens = 0, curriculum_ramp_steps = 0;
  LiveMaskSettings live_mask;

  int64_t length_cap(int64_t step) const;
};

// Mean loss on a held-out JSONL file every `every` steps (no held-out file: no evaluation),
// and greedy full-cache accuracy on its first `accuracy_examples` problems every
// `accuracy_every` steps (0: never; run by the CLI, which has the engine).
struct EvalSettings {
  std::filesystem::path heldout;
  int64_t every = 500;
  int64_t max_examples = 0;  // 0: all
  int64_t accuracy_every = 0;
  int64_t accuracy_examples = 30;
};

struct TrainConfig {
  LmShape model;
  double init_std = 0.02;
  double qk_norm_init = 1.0;   // the q/k norms' initial weight (see init_parameters)
  std::filesystem::path init;  // a model directory (of this shape) to fine-tune; empty: random
  // Byte-level tokens whose embedding rows are drawn afresh after `init` is read (see
  // redraw_embedding_rows); needs `init`.
  std::string fresh_tokens;
  LrSchedule schedule;
  AdamWSettings adamw;
  double clip = 1.0;  // 0: no clipping
  BatchLimits batch;
  DataSettings data;
  EvalSettings eval;
  uint64_t seed = 1;
  CheckpointSchedule checkpoint;  // checkpoint_minutes, checkpoint_every (steps; 0: none)
  int64_t log_every = 10;
  Json source;  // the file as read, kept in checkpoints
};

// `file` names the source in messages; relative paths are resolved against base_dir.
TrainConfig parse_train_config(const Json& json, const std::string& file,
                               const std::filesystem::path& base_dir);
TrainConfig load_train_config(const std::filesystem::path& path);

}  // namespace foresight
