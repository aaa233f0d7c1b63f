// Building blocks of the families' live sets (task_registry.hpp: live_set): the characters of
// a problem's text, prompt and trace so far, that a solver following the family's rules must
// still hold to finish without knowing the future. Each family marks what its steps copy.
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

namespace foresight {

using LiveMarks = std::vector<char>;  // one flag per character of the text

// The decimal number of the n characters at `at`; -1 unless they are all digits (at most 9). Trace
// text comes from a model and may be anything: live sets never trust it.
int number_at(std::string_view text, size_t at, size_t n);
// Marks [from, from + n), clipped to the text.
void mark(LiveMarks& live, size_t from, size_t n);
// Marks the line that starts at `from` (without its newline).
void mark_line(std::string_view text, LiveMarks& live, size_t from);
// The complete lines (newlines) from `from` on.
int count_lines(std::string_view text, size_t from);
// The start of the line holding position `at`.
size_t line_start(std::string_view text, size_t at);
// Marks the latest occurrence of every `key` + digit (a value overwritten later is dead), for
// the keys "A".."Z" (tagged digits, tagged_number.hpp; only the first `tags` letters) or
// "a=".."z=" (registers).
void mark_latest_tagged_digits(std::string_view text, LiveMarks& live, int tags = 26);
void mark_latest_registers(std::string_view text, LiveMarks& live);
// Marks the last `n` characters: the item being written and the one before, whose carry and
// multiplier the next item copies.
void mark_tail(std::string_view text, LiveMarks& live, size_t n);
// Marks the first `n` characters of the line being written and of the last complete line
// after `trace_start`: the step number (and what else a step copies from the line before).
void mark_line_starts(std::string_view text, LiveMarks& live, size_t trace_start, size_t n);
// Where the prompt's last line (its rule, the first line starting with `cue`, e.g. "walk ")
// and the trace start, with the first line (`task FAMILY`) and the rule marked. While the prompt
// is still being read, everything is marked and both are npos.
struct PromptEnd {
  size_t rule, trace;
};
PromptEnd mark_prompt(std::string_view text, LiveMarks& live, std::string_view cue);

}  // namespace foresight
