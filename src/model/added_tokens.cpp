#include "model/added_tokens.hpp"

#include <algorithm>

#include <utf8proc.h>

#include "core/error.hpp"
#include "model/tokenizer_json.hpp"

namespace foresight {
namespace {

// Unicode White_Space, which the reference's \s means.
bool is_space(utf8proc_int32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// The reference's \w: letters, marks, decimal digits, connector punctuation, joiners (letter
// numbers approximate the rest of Alphabetic).
bool is_word(utf8proc_int32_t c) {
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_PC: return true;
    default: return c == 0x200C || c == 0x200D;
  }
}

// The character starting at text[pos] and its length; length 0 and c = -1 if invalid.
std::pair<utf8proc_int32_t, std::size_t> char_at(std::string_view text, std::size_t pos) {
  utf8proc_int32_t c = -1;
  utf8proc_ssize_t len =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                       static_cast<utf8proc_ssize_t>(text.size() - pos), &c);
  return len > 0 ? std::pair{c, static_cast<std::size_t>(len)} : std::pair{-1, std::size_t{0}};
}

// The start of the character that ends just before `end` (a UTF-8 lead byte, or end - 1).
std::size_t char_start_before(std::string_view text, std::size_t end) {
  std::size_t pos = end - 1;
  while (pos > 0 && end - pos < 4 && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) --pos;
  return char_at(text, pos).second == end - pos ? pos : end - 1;
}

bool word_before(std::string_view text, std::size_t end) {
  return end > 0 && is_word(char_at(text, char_start_before(text, end)).first);
}

bool word_after(std::string_view text, std::size_t begin) {
  return begin < text.size() && is_word(char_at(text, begin).first);
}

// Where the whitespace ending at `end` begins (stopping at `floor`).
std::size_t skip_space_back(std::string_view text, std::size_t end, std::size_t floor) {
  while (end > floor) {
    std::size_t start = char_start_before(text, end);
    if (!is_space(char_at(text, start).first)) break;
    end = start;
  }
  return std::max(end, floor);
}

// Where the whitespace starting at `begin` ends.
std::size_t skip_space_forward(std::string_view text, std::size_t begin) {
  while (begin < text.size()) {
    auto [c, len] = char_at(text, begin);
    if (len == 0 || !is_space(c)) break;
    begin += len;
  }
  return begin;
}

}  // namespace

void AddedTokens::Trie::insert(std::string_view key, std::size_t token) {
  uint32_t node = 0;
  for (char ch : key) {
    auto byte = static_cast<unsigned char>(ch);
    auto& children = nodes_[node].children;
    auto it = std::lower_bound(children.begin(), children.end(), std::pair{byte, uint32_t{0}});
    if (it != children.end() && it->first == byte) {
      node = it->second;
    } else {
      auto child = static_cast<uint32_t>(nodes_.size());
      children.insert(it, {byte, child});
      nodes_.emplace_back();  // invalidates `children`, which is not used again
      node = child;
    }
  }
  nodes_[node].token = token;  // a repeated content keeps the last token, as the reference does
}

std::pair<std::size_t, std::size_t> AddedTokens::Trie::longest_at(std::string_view text,
                                                                  std::size_t pos) const {
  std::pair<std::size_t, std::size_t> best{0, 0};
  uint32_t node = 0;
  for (std::size_t i = pos; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    const auto& children = nodes_[node].children;
    auto it = std::lower_bound(children.begin(), children.end(), std::pair{byte, uint32_t{0}});
    if (it == children.end() || it->first != byte) break;
    node = it->second;
    if (nodes_[node].token != SIZE_MAX) best = {i + 1 - pos, nodes_[node].token};
  }
  return best;
}

AddedTokens AddedTokens::from_json(const Json& list, const Normalizer& normalizer) {
  namespace tj = tokenizer_json;
  AddedTokens added;
  if (list.is_null()) return added;
  if (!list.is_array()) fail("added_tokens: expected an array, found {}", list.type_name());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& entry = list[i];
    std::string where = fmt::format("added_tokens[{}]", i);
    AddedToken token;
    const Json& id = tj::member(entry, where, "id");
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
      fail("{}.id: expected a non-negative integer, found {}", where, id.dump());
    }
    token.id = id.get<int32_t>();
    token.content = tj::string_member(entry, where, "content");
    token.special = tj::bool_member(entry, where, "special", false);
    token.lstrip = tj::bool_member(entry, where, "lstrip", false);
    token.rstrip = tj::bool_member(entry, where, "rstrip", false);
    token.single_word = tj::bool_member(entry, where, "single_word", false);
    // Unset, special tokens are matched raw and others normalised, as the reference's
    // AddedToken constructor defaults.
    token.normalized = tj::bool_member(entry, where, "normalized", !token.special);
    added.tokens_.push_back(std::move(token));
  }
  for (std::size_t i = 0; i < added.tokens_.size(); ++i) {
    const AddedToken& token = added.tokens_[i];
    if (token.content.empty()) continue;  // can never match; still decodable by id
    if (token.normalized) {
      added.normalized_.insert(normalizer.apply(token.content), i);
    } else {
      added.raw_.insert(token.content, i);
    }
  }
  return added;
}

std::vector<TextSegment> AddedTokens::split(std::string_view text, bool normalized_text) const {
  const Trie& trie = normalized_text ? normalized_ : raw_;
  std::vector<TextSegment> segments;
  std::size_t done = 0;  // text before this is already in `segments`
  std::size_t pos = 0;
  while (!trie.empty() && pos < text.size()) {
    auto [length, index] = trie.longest_at(text, pos);
    if (length == 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[index];
    std::size_t begin = pos, end = pos + length;
    pos = end;  // the search resumes after this match even when it is dropped
    if (token.single_word && (word_before(text, begin) || word_after(text, end))) continue;
    if (token.lstrip) begin = skip_space_back(text, begin, done);
    if (token.rstrip) end = skip_space_forward(text, end);
    if (begin > done) segments.push_back({done, begin, -1});
    segments.push_back({begin, end, token.id});
    done = pos = end;
  }
  if (done < text.size()) segments.push_back({done, text.size(), -1});
  return segments;
}

}  // namespace foresight
