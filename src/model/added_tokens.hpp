// The "added_tokens" of a tokenizer.json (special tokens like <|im_end|>, and others like
// <think>): they are cut out of the text before normalisation and BPE, so they always map to
// their own id. Matching follows the reference implementation: leftmost match first, the longest
// one at that position; a token with "normalized": false is matched in the raw text, one with
// true in the normalised text; "single_word" drops a match touching a word character on either
// side; "lstrip"/"rstrip" make the token absorb the whitespace before/after it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_file.hpp"
#include "model/normalizer.hpp"

namespace foresight {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool special = false;
  bool lstrip = false, rstrip = false, single_word = false;
  bool normalized = false;
};

// A stretch of text: an added token (id >= 0) or plain text to tokenize further (id < 0).
struct TextSegment {
  std::size_t begin, end;
  int32_t id;
};

class AddedTokens {
 public:
  // `list` is the "added_tokens" field (may be absent: null). Normalised tokens are matched by
  // their content passed through `normalizer`.
  static AddedTokens from_json(const Json& list, const Normalizer& normalizer);

  const std::vector<AddedToken>& tokens() const { return tokens_; }

  // Splits text into segments covering it, in order. `normalized_text` selects which tokens
  // are looked for: those with "normalized": false in raw text, the others in normalised text.
  std::vector<TextSegment> split(std::string_view text, bool normalized_text) const;

 private:
  // A byte trie of token contents, for leftmost-longest matching.
  class Trie {
   public:
    void insert(std::string_view key, std::size_t token);
    // The longest key starting at text[pos]: (length, token index), or length 0.
    std::pair<std::size_t, std::size_t> longest_at(std::string_view text, std::size_t pos) const;
    bool empty() const { return nodes_.size() == 1; }

   private:
    struct Node {
      std::vector<std::pair<unsigned char, uint32_t>> children;
      std::size_t token = SIZE_MAX;  // index into tokens_ of the key ending here
    };
    std::vector<Node> nodes_{Node{}};
  };

  std::vector<AddedToken> tokens_;
  Trie raw_, normalized_;
};

}  // namespace foresight
