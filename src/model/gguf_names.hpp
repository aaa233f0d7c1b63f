// How llama.cpp names and lays out the tensors of the supported architectures in GGUF, against
// the Hugging Face layout the engine uses: the tensor names, and the row order of Llama's query
// and key projections (llama.cpp's `llama` rotates adjacent pairs of dimensions, so its
// converter interleaves the two halves of each head that Hugging Face's rotate-half pairs;
// qwen2 and qwen3 rotate halves as Hugging Face does and keep the order).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/config.hpp"

namespace foresight {

// "model.layers.3.self_attn.q_proj.weight" -> "blk.3.attn_q.weight". Error for a name that
// has no GGUF counterpart.
std::string gguf_tensor_name(const std::string& hf_name);

// llama.cpp's per-frequency RoPE divisors for the llama3 scaling (its rope_freqs.weight).
inline constexpr const char* kGgufRopeFreqs = "rope_freqs.weight";

// Whether the tensor's rows are reordered in GGUF: Llama's q_proj and k_proj, weights and
// biases.
bool gguf_permutes_rows(const ModelConfig& config, const std::string& hf_name);

// Copies `rows` rows of `row_bytes` each from src to dst, reordering the rows of every head of
// head_dim rows: to GGUF, row j + half * head_dim / 2 of a head goes to row 2 * j + half; from
// GGUF, back.
void permute_head_rows(const void* src, void* dst, int64_t rows, std::size_t row_bytes,
                       int head_dim, bool to_gguf);

}  // namespace foresight
