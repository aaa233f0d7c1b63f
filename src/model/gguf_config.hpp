// A model's hyper-parameters as GGUF metadata, in llama.cpp's keys ("qwen3.block_count",
// "tokenizer.ggml.eos_token_id", ...): written by the exporter, read back for GGUF import.
#pragma once
#include <filesystem>

#include "core/gguf_file.hpp"
#include "model/config.hpp"

namespace foresight {

// A model path names a GGUF file when it is a file; a Hugging Face model is a directory.
bool is_gguf_model(const std::filesystem::path& path);

// Adds general.architecture, general.file_type (from `dtype`, that of the matrices), the
// architecture's keys and the BOS/EOS ids. A model with more than one EOS id keeps the first in
// tokenizer.ggml.eos_token_id and all of them in foresight.eos_token_ids.
void add_gguf_config(GgufWriter& out, const ModelConfig& config, DType dtype);

// The config of a GGUF model. Errors name the file and key. The vocabulary size is the row
// count of token_embd.weight, biases and tied embeddings are told by which tensors exist, and
// llama3 RoPE scaling is rope_freqs.weight's divisors.
ModelConfig gguf_model_config(const GgufFile& file);

}  // namespace foresight
