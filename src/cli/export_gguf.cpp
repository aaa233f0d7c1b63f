#include <cstdio>

#include "cli/commands.hpp"
#include "cli/weights_option.hpp"
#include "model/gguf_export.hpp"

namespace foresight::cli {

void add_export_gguf_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "export-gguf", "write a Hugging Face model directory as a GGUF file that llama.cpp runs");
  struct Options {
    std::string model, out, dtype;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->model, "model directory")->required();
  cmd->add_option("--out", o->out, "the GGUF file to write")->required();
  cmd->add_option("--dtype", o->dtype,
                  "f32, f16, bf16 or q8_0 for the matrices (default: as stored; norms and biases "
                  "stay f32)");
  cmd->callback([o] {
    export_gguf(o->model, o->out, parse_weight_type(o->dtype, "--dtype"));
    std::fprintf(stderr, "wrote %s\n", o->out.c_str());
  });
}

}  // namespace foresight::cli
