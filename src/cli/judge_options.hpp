// The options of the `foresight` policy, shared by every command that runs policies.
#pragma once
#include <CLI/CLI.hpp>

#include "policy/policy.hpp"

namespace foresight::cli {

// --judge FILE and --judge-mode sample|topk.
void add_judge_options(CLI::App* command, PolicyOptions& options);

}  // namespace foresight::cli
