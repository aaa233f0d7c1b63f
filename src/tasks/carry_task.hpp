// Long arithmetic with carries: apply x <- x*m + a (mod 10^digits) several times, each step
// written column by column (tagged_number.hpp), one line per step.
//
//   prompt              trace
//   task carry          01/02:a0*9+4=04A4 b3*9+0=27B7 c1*9+2=11C1 d2*9+1=19D9
//   x=A0B3C1D2          02/02:a4*9+4=40A0 b7*9+4=67B7 c1*9+6=15C5 d9*9+1=82D2
//   repeat 2: x<x*9+4   answer: A0B7C5D2
//
// (x = 2130; 2130*9+4 = 19174 -> 9174; 9174*9+4 = 82570 -> 2570.)
//
// Each item copies the old digit from the previous line (after the latest upper-case tag of its
// column), the multiplier from the item before, the carry from the item before (the addend a
// from the previous line's first item), and writes one small product. The `i/n` header tells
// when to stop. The answer is the final x. m is 3, 7 or 9; a is 1..9.
//
// Why it suits eviction: the family where recency is right. Everything a step needs lies in the
// previous line (12 * digits + 6 characters back), typically beyond the newest-token window but
// within 25% of the trace; what must be kept is about two characters per column of the previous
// line, a few percent of the trace. A policy that keeps old or much-attended tokens instead of
// the previous line fails here, while one that keeps only recent tokens fails on lemmas (and
// on walk and pointer without the prompt): a good policy must tell the cases apart.
#pragma once
#include "core/rng.hpp"
#include "tasks/knobs.hpp"
#include "tasks/live_marks.hpp"
#include "tasks/tagged_number.hpp"
#include "tasks/task_problem.hpp"

namespace foresight {

struct CarryKnobs {
  int digits = 16;  // columns of x (at most 26, tags A..Z); a line is 12 * digits + 6 characters
  int steps = 16;   // updates (lines) in the trace
};

inline constexpr KnobField<CarryKnobs> kCarryKnobs[] = {
    {"digits", &CarryKnobs::digits, 1, kMaxColumns, "digits of x"},
    {"steps", &CarryKnobs::steps, 1, 99, "updates of x"},
};

TaskProblem make_carry_problem(const CarryKnobs& knobs, Rng& rng);
// x's latest digits, the rule and the step being written.
void mark_live_carry(std::string_view text, LiveMarks& live);

}  // namespace foresight
