// Walking a cycle: the table's entries form one cycle, walked for many hops, each folding the
// entry's weight into a running value s <- s*m + w (mod 10^digits, tagged_number.hpp).
//
//   prompt                          trace
//   task walk                       001/112:k07>k12:3;a5*7+3=38A8
//   k12>k03:9                       002/112:k12>k03:9;a8*7+9=65A5
//   k07>k12:3                       003/112:k03>k07:1;a5*7+1=36A6
//   k03>k07:1                       004/112:k07>k12:3;a6*7+3=45A5
//   s=A5                            ...
//   walk 112 hops from k07: s<s*7+w answer: A4
//
// A hop copies its key from the previous hop's target, its entry from the table (key `k07>`,
// unique in the prompt; the latest hop through it says the same), and updates s as the
// pointer family does. The `i/n` header tells when to stop. The answer is the final s.
//
// What must be kept is the whole table (every entry comes round again every `entries` hops,
// until the last lap) and the current s; both are small, the table is in the prompt, and the
// trace grows about 30 characters a hop. The family where keeping the prompt is right: a policy
// that keeps only recent tokens loses the entries of the lap before.
#pragma once
#include "core/rng.hpp"
#include "tasks/knobs.hpp"
#include "tasks/live_marks.hpp"
#include "tasks/task_problem.hpp"

namespace foresight {

struct WalkKnobs {
  int entries = 16;  // the cycle's length: keys drawn from k01..k99
  int hops = 112;    // the trace grows 19 + 12 * digits characters a hop
  int digits = 1;    // columns of s; at most 8, so that the column tags stay clear of k
};

inline constexpr KnobField<WalkKnobs> kWalkKnobs[] = {
    {"entries", &WalkKnobs::entries, 2, 99, "entries of the cycle"},
    {"hops", &WalkKnobs::hops, 1, 999, "hops walked"},
    {"digits", &WalkKnobs::digits, 1, 8, "digits of the running value s"},
};

TaskProblem make_walk_problem(const WalkKnobs& knobs, Rng& rng);
// The entries still to be visited, the current s, the rule and the step being written.
void mark_live_walk(std::string_view text, LiveMarks& live);

}  // namespace foresight
