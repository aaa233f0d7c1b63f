#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
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
                  "f32, f16 or bf16 for the matrices (default: as stored; norms and biases stay "
                  "f32)");
  cmd->callback([o] {
    std::optional<DType> dtype;
    if (o->dtype == "f32") dtype = DType::F32;
    else if (o->dtype == "f16") dtype = DType::F16;
    else if (o->dtype == "bf16") dtype = DType::BF16;
    else if (!o->dtype.empty()) fail("--dtype: unknown dtype '{}' (f32, f16, bf16)", o->dtype);
    export_gguf(o->model, o->out, dtype);
    std::fprintf(stderr, "wrote %s\n", o->out.c_str());
  });
}

}  // namespace foresight::cli
