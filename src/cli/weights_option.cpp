#include "cli/weights_option.hpp"

#include "core/error.hpp"

namespace foresight::cli {

std::optional<DType> parse_weight_type(const std::string& text, std::string_view option) {
  if (text.empty()) return std::nullopt;
  DType t;
  if (parse_matrix_dtype(text, &t)) return t;
  fail("{}: unknown type '{}' (f32, bf16, f16, q8_0)", option, text);
}

void add_weights_option(CLI::App* cmd, std::string& text) {
  cmd->add_option("--weights", text,
                  "convert the matrices at load: f32, bf16, f16 or q8_0 (quantised; default: as "
                  "stored)");
}

LoadOptions load_options(const std::string& text) {
  return {.weights = parse_weight_type(text, "--weights")};
}

}  // namespace foresight::cli
