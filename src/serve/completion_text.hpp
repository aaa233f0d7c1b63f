// The text of a completion as its tokens arrive: each token decoded on its own and appended (as
// `generate` prints it), special tokens left out, the text ended before the first stop string.
// What may be sent so far holds back a last UTF-8 character still missing bytes and the bytes
// that could yet begin a stop string, so the pieces sent add up to the final text.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "model/tokenizer.hpp"

namespace foresight {

class CompletionText {
 public:
  CompletionText(const Tokenizer& tokenizer, std::vector<std::string> stops);
  void add(std::span<const int32_t> tokens);
  // The text after what was taken before that is final now; `ended`: the generation is over,
  // so all of it.
  std::string take(bool ended);
  const std::string& text() const { return text_; }
  bool hit_stop() const { return hit_stop_; }

 private:
  const Tokenizer& tokenizer_;
  std::vector<std::string> stops_;
  size_t longest_stop_ = 0;
  std::string text_;
  size_t taken_ = 0;
  bool hit_stop_ = false;
};

}  // namespace foresight
