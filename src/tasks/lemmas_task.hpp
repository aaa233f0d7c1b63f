// Lemmas: the trace first derives ten named one-digit results, then works at length on a
// long number, and later combines results that the work itself chooses, each once or twice.
//
//   prompt                       trace
//   task lemmas                  Q:4*7+5=33Q3                     (ten derivations)
//   Q:4*7+5 R:9*3+1 ... Z:...    ...
//   x=A0B3C1...L2                w01/06+14:a0*9+4=04A4 b3*9+0=27B7 ...  (warm-up: addend 4)
//   warm 6: x<x*9+4              ...
//   then 14: x<x*9+#A            01/14:a4*9+U3=39A9 b...          (x's digit A is 4: lemma U)
//                                ...
//                                answer: A7B1...
//
// The lemmas are named Q..Z, Q the lemma of the digit 0 and Z that of 9 (`#A` in the rule: the
// lemma named by x's digit A). A derivation copies its definition from the prompt (key `U:`),
// computes d*m + c as the carry items do, and binds the result's last digit to the name: `U3`. A
// round is an update x <- x*m + addend written column by column (tagged_number.hpp). The warm-up
// rounds (`w01/06+14:`) add a fixed digit; then the lemma rounds (`01/14:`) add the lemma named
// by x's lowest digit: the first item writes the name right after that digit and copies the
// digit after the name's latest binding `U`, the derivation's or an earlier use's. Name and
// digit are written alike everywhere, as x's tagged digits are: a trial fine-tune of the bundled
// model learned this lookup on short problems, where the earlier shape `U=3` stayed at chance
// (scripts/train_bundled.sh records what was tried). Every decision is local: the phase ends
// like a carry run, at `06/06`, the header's `w` says which addend a round takes, and the
// warm-up headers restate the number of lemma rounds (`+14`), which the first lemma round
// copies from the line above (the bundled model did not learn to copy it from the prompt, a
// warm-up's length back). The names are letters used for nothing else, so that the lookup has
// a key of its own (with digit names, `#4=3`, the bundled model confused a lemma with the other
// digits before an `=`); x's columns stop at P to stay clear of them.
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
    {"digits", &LemmasKnobs::digits, 1, 16, "digits of x (tags A..P; Q..Z name the lemmas)"},
    {"rounds", &LemmasKnobs::rounds, 1, 99, "updates of x"},
    {"warmup", &LemmasKnobs::warmup, 0, 98, "rounds with the fixed addend"},
};

inline constexpr char kFirstLemmaName = 'Q';  // the lemma of digit d is named 'Q' + d

TaskProblem make_lemmas_problem(const LemmasKnobs& knobs, Rng& rng);
// Definitions not yet derived, lemmas with a use to come, x's digits, the rules and the step.
void mark_live_lemmas(std::string_view text, LiveMarks& live);

}  // namespace foresight
