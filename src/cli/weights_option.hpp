// The type of a model's matrices by its name on the command line: --weights of the commands
// that run a model (converted at load, LoadOptions::weights) and --dtype of export-gguf.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "model/model.hpp"

namespace foresight::cli {

// f32, bf16, f16 or q8_0; empty gives nullopt (the stored type). Error naming `option`
// otherwise.
std::optional<DType> parse_weight_type(const std::string& text, std::string_view option);

// Adds --weights to `command`, its text kept in `text`.
void add_weights_option(CLI::App* command, std::string& text);

// The load options --weights `text` asks for.
LoadOptions load_options(const std::string& text);

}  // namespace foresight::cli
