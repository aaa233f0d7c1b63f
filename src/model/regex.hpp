// A compiled PCRE2 pattern with Unicode semantics, for the tokenizer's pre-split regexes.
// Patterns are compiled with UTF + UCP (so \s, \p{L}, \w are Unicode-aware, as in the
// reference tokenizers) and JIT-compiled when the platform allows. Subjects that are not valid
// UTF-8 are accepted: invalid bytes never match anything, so they end up between matches.
// Matching is const and thread-safe.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace foresight {

class Regex {
 public:
  // Throws Error naming the pattern when it does not compile.
  // `literal` treats the pattern as a plain string.
  explicit Regex(std::string_view pattern, bool literal = false);

  // The non-empty, non-overlapping matches in `text`, left to right, as [begin, end) byte
  // offsets. Empty matches are skipped, as the reference tokenizers drop empty pieces.
  std::vector<std::pair<std::size_t, std::size_t>> find_all(std::string_view text) const;

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
};

}  // namespace foresight
