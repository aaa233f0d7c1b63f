#include "model/architecture.hpp"

#include <array>

namespace foresight {
namespace {

constexpr std::array kArchitectures = {
    ArchitectureInfo{Architecture::Qwen3, "Qwen3ForCausalLM", "qwen3", true, false},
    ArchitectureInfo{Architecture::Qwen2, "Qwen2ForCausalLM", "qwen2", false, true},
    ArchitectureInfo{Architecture::Llama, "LlamaForCausalLM", "llama", false, false},
};

}  // namespace

std::span<const ArchitectureInfo> architectures() { return kArchitectures; }

const ArchitectureInfo& architecture_info(Architecture arch) {
  for (const ArchitectureInfo& a : kArchitectures)
    if (a.arch == arch) return a;
  return kArchitectures[0];  // every enumerator has a row
}

const ArchitectureInfo* find_architecture(std::string_view name) {
  for (const ArchitectureInfo& a : kArchitectures)
    if (a.hf_name == name || a.model_type == name) return &a;
  return nullptr;
}

std::string architecture_list(bool hf_names) {
  std::string list;
  for (const ArchitectureInfo& a : kArchitectures)
    list +=
        std::string(list.empty() ? "" : ", ") + std::string(hf_names ? a.hf_name : a.model_type);
  return list;
}

}  // namespace foresight
