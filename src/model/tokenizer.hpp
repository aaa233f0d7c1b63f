// Byte-level BPE tokenizer loaded from a Hugging Face tokenizer.json (GPT-2, Llama 3, Qwen
// family). Encoding follows the reference pipeline: added tokens are cut out of the raw text,
// the rest is normalised (NFC), pre-tokenized (regex splits), mapped to bytes and merged by BPE.
// encode() never adds special tokens of its own (no BOS/EOS: the post_processor is ignored).
//
// Text that is not valid UTF-8 is still encoded: its invalid bytes are left unnormalised and
// match no regex class, so each stretch of them is BPE-encoded on its own. decode() returns the
// exact bytes of the tokens, so a sequence of ids may decode to invalid UTF-8 (a character cut
// between two tokens); the reference would substitute U+FFFD there.
//
// A Tokenizer is cheap to copy (the tables are shared) and safe to use from many threads.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_file.hpp"

namespace foresight {

class Tokenizer {
 public:
  // Throws Error naming the file and the problem for anything it cannot load faithfully.
  static Tokenizer load(const std::filesystem::path& tokenizer_json);
  // The same from a parsed tokenizer.json; `source` names it in errors.
  static Tokenizer from_json(const Json& json, const std::string& source);
  // The tokenizer of a model: DIR/tokenizer.json, or the one a GGUF file's metadata describes.
  static Tokenizer for_model(const std::filesystem::path& model);

  std::vector<int32_t> encode(std::string_view text) const;

  // The bytes the ids stand for: vocab tokens through the byte-level decoder, added tokens as
  // their content (special ones left out when skip_special). Error for an id that names no
  // token.
  std::string decode(std::span<const int32_t> ids, bool skip_special = false) const;

  // The id of a vocab token (in the byte-level alphabet, e.g. "Ġthe") or added token's content.
  std::optional<int32_t> token_id(std::string_view token) const;
  // The token string of `id`, as token_id takes it. Error if no token has that id.
  const std::string& token(int32_t id) const;
  // One more than the largest id; ids below it without a token are rejected by decode.
  int32_t vocab_size() const;
  bool has_token(int32_t id) const;  // false for ids no token has, and outside [0, vocab_size)
  bool is_special(int32_t id) const;
  // An added token (special or not): cut out of the text before BPE, decoded as its content.
  bool is_added(int32_t id) const;

 private:
  struct Impl;
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace foresight
