#include "tasks/program_task.hpp"

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
  p.prompt += fmt::format("run {} {}\n", knobs.passes, knobs.passes == 1 ? "pass" : "passes");

  for (int pass = 1; pass <= knobs.passes; ++pass) {
    p.trace += fmt::format("pass {}/{}\n", pass, knobs.passes);
    for (size_t i = 0; i < program.size(); ++i) {
      const Instruction& in = program[i];
      const int result = execute(in, value);
      p.trace += fmt::format("{};{}={};{}={};{}={}\n", text[i], reg(in.lhs), value[in.lhs],
                             reg(in.rhs), value[in.rhs], reg(in.dest), result);
      value[in.dest] = result;
    }
    // The passes still to run, counted down right before the stop decision: whether another
    // pass follows is whether this is 0, not a comparison of two numbers (the bundled model
    // learned neither to compare the header ten lines back with the total nor `end 12/12`).
    p.trace += fmt::format("left {}\n", knobs.passes - pass);
  }
  p.answer = register_file(value);
  p.trace += "answer: " + p.answer + "\n";
  return p;
}

void mark_live_program(std::string_view text, LiveMarks& live) {
  const PromptEnd prompt = mark_prompt(text, live, "run ");
  if (prompt.trace == std::string_view::npos) return;
  const size_t trace_start = prompt.trace;
  const size_t rule = prompt.rule;
  // In the last pass a line is dead once its step has begun.
  const size_t pass = text.rfind("\npass ");
  const bool last_pass = pass != std::string_view::npos && pass + 1 >= trace_start && [&] {
    const std::string_view header = text.substr(pass + 6, text.find('\n', pass + 1) - pass - 6);
    const size_t slash = header.find('/');
    return slash != std::string_view::npos && header.substr(0, slash) == header.substr(slash + 1);
  }();
  for (size_t i = text.find('\n') + 1; i < rule; i = text.find('\n', i) + 1) {
    if (text[i] < '0' || text[i] > '9') continue;  // the registers' line
    const bool begun = last_pass && text.find("\n" + std::string(text.substr(i, 3)), pass + 1) !=
                                        std::string_view::npos;
    if (!begun) mark(live, i, kLineChars);
  }
  if (pass != std::string_view::npos && pass + 1 >= trace_start) mark_line(text, live, pass + 1);
  mark_latest_registers(text, live);
  const size_t current = line_start(text, text.size());
  mark(live, current, text.size() - current);
  if (current > trace_start) mark_line(text, live, line_start(text, current - 1));
}

}  // namespace foresight
