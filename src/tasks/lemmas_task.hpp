// Lemmas: the trace first derives ten named one-digit results, then works at length on a
// long number, and later combines results that the work itself chooses, each once or twice.
//
//   prompt                       trace
//   task lemmas                  #0:4*7+5=33 #0=3                 (ten derivations)
//   #0:4*7+5 #1:9*3+1 ... #9:..  ...
//   x=A0B3C1...L2                01/20:a0*9+4=04A4 b3*9+0=27B7 ...   (warm-up: the addend 4)
//   repeat 20: x<x*9+4           ...
//   from 07: x<x*9+#A            07/20:#4=3 a4*9+3=39A9 b...       (lemma #4: x's digit A was 4)
//                                ...
//                                answer: A7B1...
//
// A derivation copies its definition from the prompt (key `#4:`), computes d*m + c as the
// carry items do, and restates the result's last digit after `#4=`. A round is an update
// x <- x*m + addend written column by column (tagged_number.hpp); from the round named in the
// prompt on, the addend is the lemma whose name is x's lowest digit: the round writes `#4=`
// and copies what followed the latest `#4=`, the derivation's or an earlier use's.
//
// Why it suits eviction: what must be kept are values the trace derived, not the prompt: ten
// digits, needed for the first time a warm-up's length after they were written (more than a
// quarter of the trace), never attended in between. The generator draws the lemmas so that
// x's lowest digit walks through all ten names in a cycle, so each lemma is used once or
// twice (at most 20 lemma rounds) and none is dead before its last use.
#pragma once
#include "core/rng.hpp"
#include "tasks/knobs.hpp"
#include "tasks/live_marks.hpp"
#include "tasks/task_problem.hpp"

namespace foresight {

struct LemmasKnobs {
  int digits = 12;  // columns of x; a round writes 12 * digits + 6 characters
  int rounds = 20;  // updates of x
  int warmup = 6;   // rounds before the lemmas are used; rounds - warmup <= 20
};

inline constexpr KnobField<LemmasKnobs> kLemmasKnobs[] = {
    {"digits", &LemmasKnobs::digits, 1, 26, "digits of x"},
    {"rounds", &LemmasKnobs::rounds, 1, 99, "updates of x"},
    {"warmup", &LemmasKnobs::warmup, 0, 98, "rounds with the fixed addend"},
};

TaskProblem make_lemmas_problem(const LemmasKnobs& knobs, Rng& rng);
// Definitions not yet derived, lemmas with a use to come, x's digits, the rules and the step.
void mark_live_lemmas(std::string_view text, LiveMarks& live);

}  // namespace foresight
