// Judge files: safetensors with, per layer i, the tensors (F32)
//     model.layers.{i}.self_attn.judge_model.fc1.weight  [Hk, F, 16]   (x W1: input-major)
//     model.layers.{i}.self_attn.judge_model.fc1.bias    [Hk, 16]
//     model.layers.{i}.self_attn.judge_model.fc2.weight  [Hk, 16, 1]
//     model.layers.{i}.self_attn.judge_model.fc2.bias    [Hk, 1]
// and metadata (strings): "format" = "foresight-judge-1"; the model it serves, "model" (its
// directory) with "n_layers", "n_kv_heads", "head_dim", "group"; "budget" (B) and "evict_every"
// (L); "features" = "key,value,stats8" with "features_note"; "hidden" = "16"; "activation" =
// "gelu-erf"; "stage" (init, sl, rl); "command" (what wrote it); "recent" (the --recent it was
// trained beside, e.g. "50%"; "" or absent: L), which runs of the judge use unless told otherwise.
#pragma once
#include <filesystem>

#include "judge/judge.hpp"
#include "model/config.hpp"

namespace foresight {

// Writes atomically.
void write_judge(const std::filesystem::path& path, const Judge& judge);

// Reads and validates: the format and metadata, every tensor present with its shape (F32, BF16
// or F16), no tensor left over, no NaN or infinity. Errors name the file and what is wrong.
Judge read_judge(const std::filesystem::path& path);

// Error naming the file unless the judge was built for a model of this shape (layers, KV heads,
// head dim, group).
void check_judge_fits(const Judge& judge, const ModelConfig& config,
                      const std::filesystem::path& path);

}  // namespace foresight
