#include "model/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.hpp"

namespace foresight {
namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  int n = pcre2_get_error_message(code, buffer, sizeof buffer);
  return n < 0 ? "unknown PCRE2 error " + std::to_string(code)
               : std::string(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(n));
}

// PCRE2's \s (with UCP) is \p{Zs} plus \h and \v, which adds U+180E MONGOLIAN VOWEL
// SEPARATOR to Unicode White_Space; the reference tokenizers' engines (Oniguruma, Rust regex)
// mean exactly White_Space. Rewrites \s and \S so that a string with U+180E splits the same.
std::string unicode_white_space(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '\\' || i + 1 == pattern.size()) {
      out += pattern[i];
      continue;
    }
    char next = pattern[++i];
    if (next == 's') {
      out += "\\p{White_Space}";
    } else if (next == 'S') {
      out += "\\P{White_Space}";
    } else if (next == 'Q') {  // \Q...\E quotes its text literally: copy it untouched
      std::size_t end = pattern.find("\\E", i + 1);
      end = end == std::string_view::npos ? pattern.size() : end + 2;
      out += pattern.substr(i - 1, end - (i - 1));
      i = end - 1;
    } else {
      out += '\\';
      out += next;
    }
  }
  return out;
}

struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

}  // namespace

struct Regex::Code {
  pcre2_code* code = nullptr;
  Code() = default;
  Code(const Code&) = delete;
  Code& operator=(const Code&) = delete;
  ~Code() { pcre2_code_free(code); }
};

Regex::Regex(std::string_view pattern, bool literal) {
  // PCRE2 forbids UCP together with LITERAL; a literal has no classes for UCP to affect.
  uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
  std::string source = literal ? std::string(pattern) : unicode_white_space(pattern);
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(),
                                       options, &error, &offset, nullptr);
  if (compiled == nullptr) {
    // The offset would point into the rewritten pattern, so it is not shown.
    fail("invalid regex \"{}\": {}", pattern, pcre2_message(error));
  }
  auto code = std::make_shared<Code>();
  code->code = compiled;
  // JIT is an optimisation only: when it fails (unsupported CPU, no executable memory)
  // pcre2_match falls back to the interpreter, which gives the same matches.
  pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE);
  code_ = std::move(code);
}

std::vector<std::pair<std::size_t, std::size_t>> Regex::find_all(std::string_view text) const {
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(
      pcre2_match_data_create_from_pattern(code_->code, nullptr));
  if (!data) fail("regex: out of memory");
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::vector<std::pair<std::size_t, std::size_t>> matches;
  std::size_t start = 0;
  while (start <= text.size()) {
    int rc = pcre2_match(code_->code, subject, text.size(), start, 0, data.get(), nullptr);
    // The JIT's fixed 32 KiB stack can run out on pathological inputs where the interpreter,
    // which uses the heap, still succeeds.
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
      rc = pcre2_match(code_->code, subject, text.size(), start, PCRE2_NO_JIT, data.get(), nullptr);
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) fail("regex match failed: {}", pcre2_message(rc));
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
    std::size_t begin = ovector[0], end = ovector[1];
    if (end > begin) {
      matches.emplace_back(begin, end);
      start = end;
    } else {
      // An empty match: step over one whole character so the search makes progress.
      start = begin + 1;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
        ++start;
      }
    }
  }
  return matches;
}

}  // namespace foresight
