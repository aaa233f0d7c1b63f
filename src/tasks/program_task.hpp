// Program execution: run a numbered straight-line program over registers holding digits
// (arithmetic mod 10) for several passes, writing every executed line out.
//
//   prompt                   trace
//   task program             001/008:01:d<b-d;b=9;d=7;d=2
//   a=6 b=9 c=5 d=7          002/008:02:a<a-d;a=6;d=2;a=4
//   01:d<b-d                 003/008:03:c<c+d;c=5;d=2;c=7
//   02:a<a-d                 004/008:04:a<d-c;d=2;c=7;a=5
//   03:c<c+d                 005/008:01:d<b-d;b=9;d=2;d=7
//   04:a<d-c                 ...
//   run 2 passes = 8 steps   008/008:04:a<d-c;d=7;c=4;a=3
//                            answer: a=3 b=9 c=4 d=7
//
// `x<y+z` sets x to (y + z) mod 10, `x<y-z` to (y - z) mod 10 (y != z). Subtraction comes
// only with operators=2: the bundled 4-layer model learned to copy registers and digits from
// the program but, in 6000 steps, never the operator symbol (its loss stayed at ln 2 on every
// restated operator), so the benchmark uses addition only and `operators=2` is the harder
// variant the bundled model's first training stage saw.
//
// A step copies its instruction from the prompt (key `07:`), then each operand's current value
// (key `a=`: the latest occurrence holds the current value, since every step restates its
// operands and result), then does one small operation. Each step opens with its number of all
// the steps (passes times lines, given in the prompt), so the run stops after the line whose
// header reads `8/8`, as walk and carry do. The answer is the final register file.
//
// Why it suits eviction: the program (in the prompt) is needed until the last pass, while
// overwritten values and the restated lines of earlier passes are never needed again. What
// must be kept is the program (9 characters a line) plus one value per register, while a pass
// writes 29 characters a line: with the default 12 passes the program is about 3% of the
// trace. The previous pass restates every line, so a recency window longer than a pass also
// finds them; a policy that keeps old or much-attended tokens must still keep the registers'
// latest values, scattered over the last pass.
#pragma once
#include "core/rng.hpp"
#include "tasks/knobs.hpp"
#include "tasks/live_marks.hpp"
#include "tasks/task_problem.hpp"

namespace foresight {

struct ProgramKnobs {
  int lines = 10;     // program length; the trace grows about 29 characters a line and pass
  int registers = 6;  // a, b, ...: more registers put a register's last write further back
  int passes = 12;    // times the program runs; each pass adds about 29 * lines characters
  int operators = 1;  // 1: every line adds; 2: each line adds or subtracts, drawn at random
};

inline constexpr KnobField<ProgramKnobs> kProgramKnobs[] = {
    {"lines", &ProgramKnobs::lines, 2, 99, "program lines"},
    {"registers", &ProgramKnobs::registers, 2, 26, "registers a, b, ..."},
    {"passes", &ProgramKnobs::passes, 1, 99, "times the program runs"},
    {"operators", &ProgramKnobs::operators, 1, 2, "1: + only; 2: + and -"},
};

TaskProblem make_program_problem(const ProgramKnobs& knobs, Rng& rng);
// The lines still to run, each register's latest value, the previous and the current step.
void mark_live_program(std::string_view text, LiveMarks& live);

}  // namespace foresight
