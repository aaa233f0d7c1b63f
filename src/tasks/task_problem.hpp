// One synthetic reasoning problem, the unit the task generators produce, datasets store and the
// trainer and evaluation harness consume.
//
// How the model sees a problem. Tokens = byte-level tokens of `prompt + trace` (1 character =
// 1 token; everything is ASCII). The prompt starts with a line `task <family>` and ends with a
// cue line and "\n"; the trace starts right after it, with no chat template and no separator.
// The trainer trains on the trace tokens only (the prompt is context) and appends
// `<|endoftext|>` after the trace. At evaluation the harness feeds the prompt, generates, and
// stops at `<|endoftext|>` or once a complete line starting with `answer:` has been written;
// the output is graded with grade(GraderKind::AnswerLine, output, answer) (tasks/answer.hpp).
//
// Every trace ends with the line `answer: <answer>\n`, so the reference trace grades correct.
//
// Why these tasks: in each family what a token will contribute later is not what it has
// received so far (lines of a program not yet run, chain entries not yet visited), which is the
// situation learned eviction is for. Every lookup is a copy (a unique key, then the value after
// it), never a count, so a small transformer can solve each step with induction heads.
#pragma once
#include <string>

namespace foresight {

struct TaskProblem {
  std::string id;      // unique within a dataset, e.g. "pointer-7-12"
  std::string group;   // the family ("program", "pointer", "carry"); results are reported per group
  std::string prompt;  // what the model is given
  std::string trace;   // the reference reasoning the model should write; empty when unknown
  std::string answer;  // the value of the final `answer:` line

  friend bool operator==(const TaskProblem&, const TaskProblem&) = default;
};

}  // namespace foresight
