// Pointer chasing: follow a chain of keys through a shuffled table, folding each entry's weight
// into a checksum s <- s*m + w (mod 10^digits) written column by column (tagged_number.hpp).
//
//   prompt              trace
//   task pointer        01:k41>k64:9;a3*7+9=30A0 b3*7+3=24B4 c0*7+2=02C2
//   k41>k64:9           02:k64>k38:9;a0*7+9=09A9 b4*7+0=28B8 c2*7+2=16C6
//   k38>k00:3           03:k38>k00:3;a9*7+3=66A6 b8*7+6=62B2 c6*7+6=48C8
//   k12>k61:1           04:k00
//   k47>k12:3           answer: A6B2C8
//   k61>k00:3
//   k64>k38:9
//   s=A3B3C0
//   from k41: s<s*7+w
//
// Entry `k41>k64:9`: key 41 leads to key 64 and has weight 9; k00, which has no entry, closes
// a chain: the walk writes one more line number and k00, then the answer. A hop copies its key
// from the previous hop's target, copies the entry from the prompt (key `k41>`, unique), then
// updates s: each column copies the old digit after the latest upper-case tag, multiplies,
// adds the carry (the weight, for column a) and writes the new digit. m is 3, 7 or 9.
// Distractor entries form chains of their own that the walk never enters, so only following
// the chain tells them apart. The answer is the final s.
//
// With end_word=1 a chain ends in the word `end` instead and the answer follows the last hop,
// the variant the bundled model's first training stage saw: a 4-layer model learned to copy
// key digits but not to copy `e` where nearly every target starts with `k`, so it never
// stopped the walk. Ending in k00 without the closing line, it stopped early instead, after
// targets like k60 that merely end in 0: the decision was taken a whole line after the target.
//
// Why it suits eviction: an entry is needed exactly once, at its hop, possibly long after the
// prompt was read and without having been attended before; visited entries, distractors and
// old values of s are never needed again. What must be kept is the unvisited part of the chain
// (about 10 characters an entry, shrinking as the walk proceeds) plus the current s, while a
// hop writes 13 + 12 * digits characters (73 with the default 5 digits).
#pragma once
#include "core/rng.hpp"
#include "tasks/knobs.hpp"
#include "tasks/live_marks.hpp"
#include "tasks/task_problem.hpp"

namespace foresight {

struct PointerKnobs {
  int hops = 24;         // chain entries visited; the trace grows 13 + 12 * digits per hop
  int distractors = 36;  // entries off the chain; hops + distractors <= 99 (keys k01..k99)
  int digits = 5;        // columns of s: more local work per hop; at most 8, so that the
                         // column tags (a..h) stay clear of the key letter k
  int end_word = 0;      // 1: chains end in `end` rather than k00 (and k00 is a key)
};

inline constexpr KnobField<PointerKnobs> kPointerKnobs[] = {
    {"hops", &PointerKnobs::hops, 1, 99, "chain entries the walk visits"},
    {"distractors", &PointerKnobs::distractors, 0, 99, "table entries off the chain"},
    {"digits", &PointerKnobs::digits, 1, 8, "digits of the checksum s"},
    {"end_word", &PointerKnobs::end_word, 0, 1, "1: chains end in `end`, not k00"},
};

TaskProblem make_pointer_problem(const PointerKnobs& knobs, Rng& rng);
// The chain's entries not yet visited, the current s, the rule and the step being written.
void mark_live_pointer(std::string_view text, LiveMarks& live);

}  // namespace foresight
