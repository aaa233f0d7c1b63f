// The checkpoint of a judge training run (either stage): one safetensors file holding the
// judge's parameters and Adam's moments as flat F32 tensors, and in its metadata the format
// name and the state (the step, Adam's step count, the clock, the settings); written
// atomically.
#pragma once
#include <filesystem>

#include "core/json_file.hpp"
#include "judge/judge.hpp"
#include "optim/adamw.hpp"
#include "optim/run_loop.hpp"

namespace foresight {

void save_judge_checkpoint(const std::filesystem::path& path, const Judge& judge, const AdamW& adam,
                           const RunPosition& position, const Json& settings);

// Restores the judge, Adam and the position; returns the settings the checkpoint was written
// with.
Json load_judge_checkpoint(const std::filesystem::path& path, Judge& judge, AdamW& adam,
                           RunPosition& position);

}  // namespace foresight
