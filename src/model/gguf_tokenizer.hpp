// A byte-level BPE tokenizer as GGUF metadata, the way llama.cpp reads it: tokenizer.ggml.model
// "gpt2", the tokens by id with their types (normal, control = special added token,
// user-defined = other added token, unused = an id without a token), the merges as
// "left right", and tokenizer.ggml.pre naming the normaliser and pre-tokenizer. Two
// pre-tokenizers are known, each the exact pipeline of its tokenizer.json family: "qwen2" (NFC,
// the Qwen regex; also the bundled byte-level tokenizer's) and "llama-bpe" (the Llama 3 regex,
// ignore_merges). What GGUF cannot say (other regexes, added tokens that strip whitespace) is
// refused at export.
#pragma once
#include <filesystem>

#include "core/gguf_file.hpp"
#include "model/config.hpp"
#include "model/tokenizer.hpp"

namespace foresight {

// Adds the tokenizer.ggml.* keys of DIR/tokenizer.json, with `config.vocab` tokens (ids past
// the tokenizer's are unused padding), and the padding id of DIR/tokenizer_config.json's
// pad_token when it names one.
void add_gguf_tokenizer(GgufWriter& out, const std::filesystem::path& model_dir,
                        const ModelConfig& config);

// The tokenizer a GGUF file describes, built as the equivalent tokenizer.json.
Tokenizer gguf_tokenizer(const GgufFile& file);

}  // namespace foresight
