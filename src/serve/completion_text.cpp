#include "serve/completion_text.hpp"

#include <algorithm>

#include "model/utf8.hpp"

namespace foresight {

CompletionText::CompletionText(const Tokenizer& tokenizer, std::vector<std::string> stops)
    : tokenizer_(tokenizer), stops_(std::move(stops)) {
  for (const std::string& s : stops_) longest_stop_ = std::max(longest_stop_, s.size());
}

void CompletionText::add(std::span<const int32_t> tokens) {
  for (const int32_t id : tokens) {
    if (hit_stop_) return;
    if (tokenizer_.is_special(id)) continue;
    const size_t before = text_.size();
    text_ += tokenizer_.decode(std::span(&id, 1));
    // A stop string the new bytes complete starts at most longest - 1 bytes before them.
    const size_t from = before - std::min(before, longest_stop_ > 0 ? longest_stop_ - 1 : 0);
    size_t cut = std::string::npos;
    for (const std::string& s : stops_) cut = std::min(cut, text_.find(s, from));
    if (cut != std::string::npos) text_.resize(cut), hit_stop_ = true;
  }
}

std::string CompletionText::take(bool ended) {
  size_t end = text_.size();
  if (!ended && !hit_stop_) {
    end -= std::min(end, longest_stop_ > 0 ? longest_stop_ - 1 : 0);
    end = complete_utf8_length(std::string_view(text_).substr(0, end));
  }
  end = std::max(end, taken_);
  std::string piece = text_.substr(taken_, end - taken_);
  taken_ = end;
  return piece;
}

}  // namespace foresight
