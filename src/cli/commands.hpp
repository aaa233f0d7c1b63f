// Each subcommand of the `foresight` CLI lives in its own file and registers itself here.
#pragma once
#include <CLI/CLI.hpp>

namespace foresight::cli {

void add_info_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_random_model_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_traces_command(CLI::App& app);
void add_tasks_command(CLI::App& app);
void add_train_lm_command(CLI::App& app);
void add_judge_init_command(CLI::App& app);
void add_train_judge_command(CLI::App& app);
void add_throughput_command(CLI::App& app);
void add_policies_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_export_gguf_command(CLI::App& app);

}  // namespace foresight::cli
