// Writes a Hugging Face model directory as one GGUF file that llama.cpp loads: its config
// and tokenizer as llama.cpp's metadata keys, its tensors under llama.cpp's names (Llama's q
// and k rows reordered for its RoPE), matrices in `dtype` (norms, biases and RoPE divisors in
// F32, as llama.cpp's converter keeps them). A model llama.cpp cannot run as its architecture
// (a Qwen3 with an output bias, llama3 RoPE scaling outside Llama) is refused.
#pragma once
#include <filesystem>
#include <optional>

#include "core/dtype.hpp"

namespace foresight {

// `dtype` F32, F16, BF16 or Q8_0 (quantised as Model::load's LoadOptions::weights does, so
// that the file holds the bytes a model loaded that way holds); nullopt keeps the stored type
// of the model's matrices.
void export_gguf(const std::filesystem::path& model_dir, const std::filesystem::path& out,
                 std::optional<DType> dtype = std::nullopt);

}  // namespace foresight
