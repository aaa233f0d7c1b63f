// The pre_tokenizer stage of a byte-level tokenizer.json: cut the normalised text into pieces
// that BPE then encodes independently. Supported: "Split" with a Regex (or String) pattern and
// behavior "Isolated", "ByteLevel" (optionally adding a prefix space and splitting with the
// GPT-2 regex) and "Sequence" of those, with ByteLevel last. The byte-to-character mapping of
// ByteLevel is left to the BPE model, which works on raw bytes.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_file.hpp"
#include "model/regex.hpp"

namespace foresight {

// The Split regexes of the Qwen2/Qwen3 and the Llama 3 tokenizer.json files.
inline constexpr std::string_view kQwenSplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
inline constexpr std::string_view kLlama3SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

class PreTokenizer {
 public:
  // `spec` is the "pre_tokenizer" field. Errors name the offending field; a tokenizer without
  // a ByteLevel step is refused, since only byte-level BPE is supported.
  static PreTokenizer from_json(const Json& spec);

  // Appends the pieces of `text` (none of them empty) to `pieces`.
  void split(std::string_view text, std::vector<std::string>& pieces) const;

 private:
  struct Step {
    bool add_prefix_space = false;  // ByteLevel: prepend ' ' to each piece not starting with one
    std::optional<Regex> regex;     // then split at its matches, each match its own piece
  };
  void add_spec(const Json& spec, const std::string& where);

  std::vector<Step> steps_;
  bool byte_level_ = false;
};

}  // namespace foresight
