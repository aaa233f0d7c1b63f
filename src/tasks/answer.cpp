#include "tasks/answer.hpp"

#include <vector>

#include "core/error.hpp"

namespace foresight {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Replaces every occurrence of the LaTeX command `cmd` by `with`. A command ending in a letter
// only matches when no letter follows, so removing `\left` leaves `\leftarrow` alone.
void replace_command(std::string& s, std::string_view cmd, std::string_view with) {
  const bool needs_boundary = is_letter(cmd.back());
  size_t pos = 0;
  while ((pos = s.find(cmd, pos)) != std::string::npos) {
    const size_t end = pos + cmd.size();
    if (needs_boundary && end < s.size() && is_letter(s[end])) {
      pos = end;
      continue;
    }
    s.replace(pos, cmd.size(), with);
    pos += with.size();
  }
}

// Index of the `}` closing the brace group whose content starts at `begin`, or npos.
size_t matching_brace(std::string_view s, size_t begin) {
  int depth = 1;
  for (size_t i = begin; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // an escaped character, `\{` and `\}` included, is not a brace
    } else if (s[i] == '{') {
      ++depth;
    } else if (s[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string::npos;
}

// `\text{X}` -> `X`, wherever it appears (units and words wrapped around answers).
void unwrap_text(std::string& s) {
  constexpr std::string_view kOpen = "\\text{";
  size_t pos = 0;
  while ((pos = s.find(kOpen, pos)) != std::string::npos) {
    const size_t close = matching_brace(s, pos + kOpen.size());
    if (close == std::string::npos) return;
    s.erase(close, 1);
    s.erase(pos, kOpen.size());
  }
}

std::string normalise_math(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (!is_space(c) && c != '$') s += c;
  }
  unwrap_text(s);
  replace_command(s, "\\left", "");
  replace_command(s, "\\right", "");
  replace_command(s, "\\!", "");
  replace_command(s, "\\dfrac", "\\frac");
  replace_command(s, "\\tfrac", "\\frac");
  replace_command(s, "^{\\circ}", "");
  replace_command(s, "^\\circ", "");
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// The canonical decimal form ("-12", "0") of an integer written with an optional sign, leading
// zeros and optional thousands separators in groups of three, or nullopt if `s` is not one.
// Works on the digits, so integers of any size compare correctly.
std::optional<std::string> canonical_integer(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::string digits;
  const bool grouped = s.find(',') != std::string_view::npos;
  size_t group_len = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ',') {
      // the first group has 1..3 digits, every later one exactly 3
      const bool first = digits.size() == group_len;
      if (group_len == 0 || (first ? group_len > 3 : group_len != 3)) return std::nullopt;
      group_len = 0;
    } else if (is_digit(s[i])) {
      digits += s[i];
      ++group_len;
    } else {
      return std::nullopt;
    }
  }
  if (grouped && group_len != 3) return std::nullopt;
  const size_t nonzero = digits.find_first_not_of('0');
  if (nonzero == std::string::npos) return "0";  // also turns -0 into 0
  return (negative ? "-" : "") + digits.substr(nonzero);
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<std::string> last_boxed(std::string_view text) {
  // One pass with a stack of open braces, so adversarial input (many unterminated boxes) stays
  // linear. A frame records whether its brace opened a box and where the content starts.
  struct Frame {
    bool box;
    size_t content_begin;
  };
  constexpr std::string_view kBoxed = "\\boxed";
  std::vector<Frame> open;
  std::optional<std::pair<size_t, size_t>> best;  // [begin, end) of the chosen content
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\\') {
      if (text.substr(i).starts_with(kBoxed)) {
        size_t j = i + kBoxed.size();
        while (j < text.size() && text[j] == ' ') ++j;
        if (j < text.size() && text[j] == '{') {
          open.push_back({true, j + 1});
          i = j + 1;
          continue;
        }
      }
      i += 2;  // skip the escaped character: `\{`, `\}` and `\\` are not braces
      continue;
    }
    if (c == '{') {
      open.push_back({false, i + 1});
    } else if (c == '}' && !open.empty()) {  // a stray `}` closes nothing
      const Frame f = open.back();
      open.pop_back();
      if (f.box && (!best || f.content_begin > best->first)) best.emplace(f.content_begin, i);
    }
    ++i;
  }
  if (!best) return std::nullopt;
  return std::string(text.substr(best->first, best->second - best->first));
}

bool math_answers_equal(std::string_view predicted, std::string_view reference) {
  const std::string p = normalise_math(predicted);
  const std::string r = normalise_math(reference);
  if (p.empty() || r.empty()) return false;  // an empty answer never counts as right
  const auto pi = canonical_integer(p);
  const auto ri = canonical_integer(r);
  if (pi && ri) return *pi == *ri;
  return p == r;
}

std::optional<std::string> final_answer_line(std::string_view text, std::string_view prefix) {
  if (prefix.empty()) fail("answer-line grader: the answer prefix must not be empty");
  std::optional<std::string> found;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
    if (line.starts_with(prefix)) found = std::string(trim(line.substr(prefix.size())));
    start = end + 1;
  }
  return found;
}

bool ends_with_answer_line(std::string_view text, std::string_view prefix) {
  if (text.empty() || text.back() != '\n') return false;
  text.remove_suffix(1);
  const size_t start = text.rfind('\n');
  std::string_view line = start == std::string_view::npos ? text : text.substr(start + 1);
  while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
  return line.starts_with(prefix);
}

GraderKind parse_grader(std::string_view name) {
  if (name == "boxed") return GraderKind::Boxed;
  if (name == "answer-line") return GraderKind::AnswerLine;
  fail_field("grader", ": unknown grader '{}' (expected 'boxed' or 'answer-line')", name);
}

std::string_view grader_name(GraderKind kind) {
  return kind == GraderKind::Boxed ? "boxed" : "answer-line";
}

bool grade(GraderKind kind, std::string_view output, std::string_view reference,
           std::string_view answer_prefix) {
  if (kind == GraderKind::Boxed) {
    const auto boxed = last_boxed(output);
    return boxed && math_answers_equal(*boxed, reference);
  }
  const auto value = final_answer_line(output, answer_prefix);
  return value && !value->empty() && *value == trim(reference);
}

}  // namespace foresight
