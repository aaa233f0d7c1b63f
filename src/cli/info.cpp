#include <cstdio>

#include "cli/commands.hpp"
#include "cli/weights_option.hpp"
#include "model/model.hpp"

namespace foresight::cli {

void add_info_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "describe a model (Hugging Face directory or GGUF file)");
  struct Options {
    std::string model, weights;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->model, "model directory (config.json, safetensors) or GGUF file")
      ->required();
  add_weights_option(cmd, o->weights);
  cmd->callback([o] {
    auto model = Model::load(o->model, load_options(o->weights));
    const ModelConfig& c = model->config();
    std::printf("architecture       %s\n", c.arch_name.c_str());
    std::printf("layers             %d\n", c.n_layers);
    std::printf("hidden / ffn       %d / %d\n", c.hidden, c.intermediate);
    std::printf("heads / kv heads   %d / %d (group %d), head_dim %d\n", c.n_heads, c.n_kv_heads,
                c.group(), c.head_dim);
    std::printf("vocab              %d%s\n", c.vocab, c.tie_embeddings ? " (tied embeddings)" : "");
    std::printf("rope theta         %g%s\n", c.rope_theta,
                c.rope_scaling.active() ? " (llama3 scaling)" : "");
    std::printf("parameters         %lld\n", static_cast<long long>(c.parameter_count()));
    std::printf("weight dtype       %s\n", std::string(dtype_name(model->weight_dtype())).c_str());
    std::printf("weight bytes       %lld\n", static_cast<long long>(model->weight_bytes()));
    std::printf("kv bytes / token   %lld (fp32 keys and values, all layers)\n",
                static_cast<long long>(c.kv_bytes_per_token()));
  });
}

}  // namespace foresight::cli
