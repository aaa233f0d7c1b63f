#include "tasks/live_marks.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace foresight {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Marks the latest `letter` (+ `suffix`) followed by a digit, for each letter of [first, first +
// letters).
void mark_latest_keyed(std::string_view text, LiveMarks& live, char first, int letters,
                       std::string_view suffix) {
  std::array<size_t, 26> latest;
  latest.fill(std::string_view::npos);
  const size_t key = 1 + suffix.size();
  for (size_t i = 0; i + key < text.size(); ++i) {
    const int letter = text[i] - first;
    if (letter < 0 || letter >= letters || !is_digit(text[i + key])) continue;
    if (text.substr(i + 1, suffix.size()) == suffix) latest[size_t(letter)] = i;
  }
  for (const size_t at : latest)
    if (at != std::string_view::npos) mark(live, at, key + 1);
}

}  // namespace

int number_at(std::string_view text, size_t at, size_t n) {
  if (n == 0 || n > 9 || at > text.size() || text.size() - at < n) return -1;  // 9: fits an int
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!is_digit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

void mark(LiveMarks& live, size_t from, size_t n) {
  const size_t end = std::min(live.size(), from + n);
  for (size_t i = from; i < end; ++i) live[i] = 1;
}

int count_lines(std::string_view text, size_t from) {
  return int(std::count(text.begin() + long(std::min(from, text.size())), text.end(), '\n'));
}

size_t line_start(std::string_view text, size_t at) {
  const size_t nl = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  return nl == std::string_view::npos ? 0 : nl + 1;
}

void mark_line(std::string_view text, LiveMarks& live, size_t from) {
  const size_t end = text.find('\n', from);
  mark(live, from, (end == std::string_view::npos ? text.size() : end) - from);
}

void mark_latest_tagged_digits(std::string_view text, LiveMarks& live, int tags) {
  mark_latest_keyed(text, live, 'A', tags, "");
}

void mark_latest_registers(std::string_view text, LiveMarks& live) {
  mark_latest_keyed(text, live, 'a', 26, "=");
}

void mark_tail(std::string_view text, LiveMarks& live, size_t n) {
  mark(live, text.size() - std::min(n, text.size()), n);
}

void mark_line_starts(std::string_view text, LiveMarks& live, size_t trace_start, size_t n) {
  const size_t current = line_start(text, text.size());
  if (current < trace_start) return;
  mark(live, current, n);
  if (current > trace_start) mark(live, line_start(text, current - 1), n);
}

PromptEnd mark_prompt(std::string_view text, LiveMarks& live, std::string_view cue) {
  const size_t at = text.find("\n" + std::string(cue));
  const size_t end = at == std::string_view::npos ? at : text.find('\n', at + 1);
  if (end == std::string_view::npos || end + 1 >= text.size()) {
    mark(live, 0, text.size());
    return {std::string_view::npos, std::string_view::npos};
  }
  mark_line(text, live, 0);
  mark_line(text, live, at + 1);
  return {at + 1, end + 1};
}

}  // namespace foresight
