// The supported architectures in one table: their names (Hugging Face's, config.json's
// model_type, the CLI's) and the rules that set a config's biases and norms. The loader, the
// config writer and the random-model writer read it; a new architecture is a row here (and
// its tensors in the loader, if they differ).
#pragma once
#include <span>
#include <string>
#include <string_view>

namespace foresight {

enum class Architecture { Qwen3, Qwen2, Llama };

struct ArchitectureInfo {
  Architecture arch;
  std::string_view hf_name;     // config.json "architectures"[0], e.g. "Qwen3ForCausalLM"
  std::string_view model_type;  // config.json "model_type", also the CLI's name ("qwen3")
  bool qk_norm;                 // RMS norms on q and k per head (Qwen3)
  bool qkv_bias;                // q/k/v biases implied by the architecture (Qwen2)
};

std::span<const ArchitectureInfo> architectures();
const ArchitectureInfo& architecture_info(Architecture arch);
// The row of a Hugging Face name or of a model_type; null when none matches.
const ArchitectureInfo* find_architecture(std::string_view name);
// "Qwen3ForCausalLM, Qwen2ForCausalLM, LlamaForCausalLM" or "qwen3, qwen2, llama", for messages.
std::string architecture_list(bool hf_names);

}  // namespace foresight
