#include "model/gguf_names.hpp"

#include <cstring>
#include <string_view>
#include <utility>

#include "core/error.hpp"

namespace foresight {

namespace {

// The part of a layer's tensor name after "model.layers.N.", and its GGUF name after "blk.N.".
constexpr std::pair<std::string_view, std::string_view> kLayerTensors[] = {
    {"input_layernorm.weight", "attn_norm.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"self_attn.q_proj.bias", "attn_q.bias"},
    {"self_attn.k_proj.bias", "attn_k.bias"},
    {"self_attn.v_proj.bias", "attn_v.bias"},
    {"self_attn.o_proj.bias", "attn_output.bias"},
    {"self_attn.q_norm.weight", "attn_q_norm.weight"},
    {"self_attn.k_norm.weight", "attn_k_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
};

constexpr std::pair<std::string_view, std::string_view> kModelTensors[] = {
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
};

}  // namespace

std::string gguf_tensor_name(const std::string& hf_name) {
  for (const auto& [hf, gguf] : kModelTensors)
    if (hf_name == hf) return std::string(gguf);
  constexpr std::string_view prefix = "model.layers.";
  if (hf_name.starts_with(prefix)) {
    const std::size_t dot = hf_name.find('.', prefix.size());
    const std::string layer = hf_name.substr(prefix.size(), dot - prefix.size());
    if (dot != std::string::npos && !layer.empty() &&
        layer.find_first_not_of("0123456789") == std::string::npos) {
      const std::string_view rest = std::string_view(hf_name).substr(dot + 1);
      for (const auto& [hf, gguf] : kLayerTensors)
        if (rest == hf) return "blk." + layer + "." + std::string(gguf);
    }
  }
  fail("tensor '{}' has no GGUF name", hf_name);
}

bool gguf_permutes_rows(const ModelConfig& config, const std::string& hf_name) {
  return config.arch == Architecture::Llama && (hf_name.ends_with("self_attn.q_proj.weight") ||
                                                hf_name.ends_with("self_attn.q_proj.bias") ||
                                                hf_name.ends_with("self_attn.k_proj.weight") ||
                                                hf_name.ends_with("self_attn.k_proj.bias"));
}

void permute_head_rows(const void* src, void* dst, int64_t rows, std::size_t row_bytes,
                       int head_dim, bool to_gguf) {
  const int half = head_dim / 2;
  const auto* from = static_cast<const char*>(src);
  auto* to = static_cast<char*>(dst);
  for (int64_t head = 0; head < rows / head_dim; ++head) {
    for (int j = 0; j < half; ++j) {
      for (int h = 0; h < 2; ++h) {
        const int64_t hf_row = head * head_dim + h * half + j;
        const int64_t gguf_row = head * head_dim + 2 * j + h;
        const int64_t src_row = to_gguf ? hf_row : gguf_row, dst_row = to_gguf ? gguf_row : hf_row;
        std::memcpy(to + dst_row * row_bytes, from + src_row * row_bytes, row_bytes);
      }
    }
  }
}

}  // namespace foresight
