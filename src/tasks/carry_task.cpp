#include "tasks/carry_task.hpp"

#include <fmt/format.h>

#include "tasks/draw.hpp"

namespace foresight {

TaskProblem make_carry_problem(const CarryKnobs& knobs, Rng& rng) {
  Digits x = random_digits(rng, knobs.digits);
  const int m = draw_multiplier(rng);
  const int addend = 1 + draw_below(rng, 9);

  TaskProblem p;
  p.group = "carry";
  p.prompt = fmt::format("task carry\nx={}\nrepeat {}: x<x*{}+{}\n", tagged_digits(x), knobs.steps,
                         m, addend);
  for (int step = 1; step <= knobs.steps; ++step) {
    p.trace += fmt::format("{:02}/{:02}:", step, knobs.steps);
    x = append_multiply_add(p.trace, x, m, addend);
    p.trace += '\n';
  }
  p.answer = tagged_digits(x);
  p.trace += "answer: " + p.answer + "\n";
  return p;
}

void mark_live_carry(std::string_view text, LiveMarks& live) {
  const PromptEnd prompt = mark_prompt(text, live, "repeat ");
  if (prompt.trace == std::string_view::npos) return;
  const size_t trace_start = prompt.trace;
  mark_latest_tagged_digits(text, live);
  mark_line_starts(text, live, trace_start, 6);  // "07/16:"
  mark_tail(text, live, 12);
}

}  // namespace foresight
