#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "model/random_model.hpp"

namespace foresight::cli {

void add_random_model_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("random-model",
                         "write a randomly initialised model in Hugging Face layout (for tests and "
                         "benchmarks)");
  struct Options {
    std::string out, preset = "tiny", arch = "qwen3", dtype;
    uint64_t seed = 1;
    int shards = 1;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--out", o->out, "output directory")->required();
  cmd->add_option("--preset", o->preset, "tiny (2 layers, width 64) or 100m")
      ->capture_default_str();
  cmd->add_option("--arch", o->arch, "qwen3, qwen2 or llama")->capture_default_str();
  cmd->add_option("--dtype", o->dtype, "f32, bf16 or f16 (default: the preset's)");
  cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
  cmd->add_option("--shards", o->shards, "number of safetensors shards")->capture_default_str();
  cmd->callback([o] {
    RandomModelSpec s = RandomModelSpec::preset(o->preset);
    const ArchitectureInfo* arch = find_architecture(o->arch);
    if (!arch || arch->model_type != o->arch)
      fail("--arch: unknown architecture '{}' ({})", o->arch, architecture_list(false));
    s.arch = arch->arch;
    if (o->dtype == "f32") s.dtype = DType::F32;
    else if (o->dtype == "bf16") s.dtype = DType::BF16;
    else if (o->dtype == "f16") s.dtype = DType::F16;
    else if (!o->dtype.empty()) fail("--dtype: unknown dtype '{}' (f32, bf16, f16)", o->dtype);
    s.seed = o->seed;
    s.shards = o->shards;
    write_random_model(o->out, s);
    std::fprintf(stderr, "wrote %s (%s, seed %llu)\n", o->out.c_str(), o->preset.c_str(),
                 static_cast<unsigned long long>(o->seed));
  });
}

}  // namespace foresight::cli
