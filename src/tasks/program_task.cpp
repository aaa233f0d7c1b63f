#include "tasks/program_task.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "tasks/draw.hpp"

namespace foresight {
namespace {

struct Instruction {
  int dest, lhs, rhs;  // registers
  char op;             // '+' or '-' (mod 10); both keep every operand's information
};

char reg(int r) { return static_cast<char>('a' + r); }

int execute(const Instruction& in, const std::vector<int>& value) {
  const int a = value[in.lhs], b = value[in.rhs];
  return in.op == '+' ? (a + b) % 10 : (a - b + 10) % 10;
}

std::string register_file(const std::vector<int>& value) {
  std::string out;
  for (size_t r = 0; r < value.size(); ++r)
    out += fmt::format("{}{}={}", r == 0 ? "" : " ", reg(static_cast<int>(r)), value[r]);
  return out;
}

constexpr size_t kLineChars = 8;  // "01:d<b+d"

// `007/120:`, both numbers at least three digits wide.
std::string step_header(int step, int steps) {
  const int width = std::max(3, static_cast<int>(fmt::formatted_size("{}", steps)));
  return fmt::format("{:0{}}/{:0{}}:", step, width, steps, width);
}

}  // namespace

TaskProblem make_program_problem(const ProgramKnobs& knobs, Rng& rng) {
  std::vector<int> value(knobs.registers);
  for (int& v : value) v = draw_below(rng, 10);
  std::vector<Instruction> program(knobs.lines);
  for (Instruction& in : program) {
    in.dest = draw_below(rng, knobs.registers);
    in.lhs = draw_below(rng, knobs.registers);
    in.rhs = (in.lhs + 1 + draw_below(rng, knobs.registers - 1)) % knobs.registers;  // != lhs
    in.op = knobs.operators == 2 && draw_below(rng, 2) != 0 ? '-' : '+';
  }

  TaskProblem p;
  p.group = "program";
  p.prompt = "task program\n" + register_file(value) + "\n";
  std::vector<std::string> text(program.size());
  for (size_t i = 0; i < program.size(); ++i) {
    const Instruction& in = program[i];
    text[i] = fmt::format("{:02}:{}<{}{}{}", i + 1, reg(in.dest), reg(in.lhs), in.op, reg(in.rhs));
    p.prompt += text[i] + "\n";
  }
  const int steps = knobs.passes * knobs.lines;
  p.prompt += fmt::format("run {} {} = {} steps\n", knobs.passes,
                          knobs.passes == 1 ? "pass" : "passes", steps);
  // Every step line opens with `step/steps`, so the stop is read off the line just written
  // (`120/120:`), as in walk and carry: the bundled model learned that header long ago and
  // never learned to stop on a pass counter or a countdown of its own (`left 0`).
  for (int step = 0; step < steps; ++step) {
    const size_t i = static_cast<size_t>(step % knobs.lines);
    const Instruction& in = program[i];
    const int result = execute(in, value);
    p.trace += step_header(step + 1, steps) + fmt::format("{};{}={};{}={};{}={}\n", text[i],
                                                          reg(in.lhs), value[in.lhs], reg(in.rhs),
                                                          value[in.rhs], reg(in.dest), result);
    value[in.dest] = result;
  }
  p.answer = register_file(value);
  p.trace += "answer: " + p.answer + "\n";
  return p;
}

void mark_live_program(std::string_view text, LiveMarks& live) {
  const PromptEnd prompt = mark_prompt(text, live, "run ");
  if (prompt.trace == std::string_view::npos) return;
  const size_t trace_start = prompt.trace;
  // The run's length from the rule (`run 12 passes = 120 steps`), the step begun last from the
  // header of the line being written (`007/120:`), else of the line before.
  const size_t equals = text.find("= ", prompt.rule) + 2;
  const int steps = number_at(text, equals, text.find(' ', equals) - equals);
  auto step_at = [&](size_t at) { return number_at(text, at, text.find('/', at) - at); };
  const size_t current = line_start(text, text.size());
  int step = current >= trace_start ? step_at(current) : -1;
  if (step < 0 && current > trace_start) step = step_at(line_start(text, current - 1));
  const int lines = count_lines(text.substr(0, prompt.rule), 0) - 2;  // less task and registers
  int number = 0;
  for (size_t i = text.find('\n') + 1; i < prompt.rule; i = text.find('\n', i) + 1) {
    if (text[i] < '0' || text[i] > '9') continue;  // the registers' line
    // Line `number` runs at steps number, number + lines, ...: it is dead once a step after
    // its last run has begun.
    ++number;
    if (steps < number || lines < 1 || step <= number + (steps - number) / lines * lines)
      mark(live, i, kLineChars);
  }
  // The headers one pass back from the step begun last and the next (`011/120:01` for steps 21
  // and 22): a step's line number repeats the one a pass before, so a pass's wrap is copied
  // rather than worked out from the program's length. The next step's is held ahead because
  // evictions fall every L tokens, about a line, and the next line may start before the next.
  for (const int back : {step - lines, step + 1 - lines}) {
    if (back < 1 || steps < back) continue;
    const std::string header = step_header(back, steps);
    const size_t at = text.find(header, trace_start);
    if (at != std::string_view::npos) mark(live, at, header.size() + 2);
  }
  mark_latest_registers(text, live);
  mark(live, current, text.size() - current);
  if (current > trace_start) mark_line(text, live, line_start(text, current - 1));
}

}  // namespace foresight
