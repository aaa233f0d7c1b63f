// Answer extraction and grading for evaluation datasets.
//
// Two graders exist because the two kinds of datasets answer differently:
//  - Boxed: competition maths (MATH, GSM8K-style prompts) where the model is asked to put its
//    final answer in `\boxed{...}`. Comparison is deliberately modest (see math_answers_equal):
//    it forgives formatting, never algebra.
//  - AnswerLine: the synthetic tasks, whose answers are exact tokens; the model writes a line
//    `answer: <value>` and the value must match the reference exactly (after trimming).
//
// Every function here accepts arbitrary bytes (model output can be anything) and never throws,
// except for configuration mistakes (unknown grader name, empty answer-line prefix).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace foresight {

// Whitespace trimmed from both ends (space, \t, \n, \r, \v, \f).
std::string_view trim(std::string_view text);

// The content of the last complete `\boxed{...}` in `text`, braces matched (nested braces and
// the escaped braces `\{`, `\}` are handled), or nullopt when there is none.
//  - Only the braced form counts; `\boxed 5` is not recognised (rare, and ambiguous about where
//    the token ends). Spaces between `\boxed` and `{` are allowed.
//  - "Last" means the last opening among the boxes that close. An unterminated box (output cut
//    off mid-answer) is skipped, so an earlier complete box still counts: it was the answer the
//    model committed to before it ran out of tokens. For nested boxes the innermost wins.
//  - `\boxed{}` gives an empty string (a present but empty answer, graded wrong).
std::optional<std::string> last_boxed(std::string_view text);

// Whether a predicted maths answer equals the reference, in this order:
//  1. both normalised strings parse as integers -> compare the integers (any size). Integers
//     may have a sign, leading zeros and thousands separators in groups of three ("1,000").
//  2. otherwise compare the normalised strings.
// Normalisation: drop whitespace, `$`, `\left`, `\right`, `\!`, `^\circ` / `^{\circ}`, unwrap
// `\text{...}`, `\dfrac` and `\tfrac` -> `\frac`, drop one trailing `.`.
// Not attempted: decimals vs fractions, reordering, units, symbolic equivalence.
bool math_answers_equal(std::string_view predicted, std::string_view reference);

// The trimmed value of the last line of `text` that starts with `prefix` (after leading
// whitespace; case-sensitive), or nullopt when no line does. Lines end in \n; a \r before it
// (CRLF output) is trimmed with the value. `prefix` must not be empty.
std::optional<std::string> final_answer_line(std::string_view text,
                                             std::string_view prefix = "answer:");

// Whether `text` ends with a complete line (terminated by \n) that starts with `prefix` after
// leading whitespace: the point where an answer-line generation can stop.
bool ends_with_answer_line(std::string_view text, std::string_view prefix = "answer:");

enum class GraderKind { Boxed, AnswerLine };

// "boxed" or "answer-line"; anything else is an Error naming the option.
GraderKind parse_grader(std::string_view name);
std::string_view grader_name(GraderKind kind);

// Whether `output` answers `reference` correctly under the grader. A missing answer is wrong.
// AnswerLine compares the trimmed value with the trimmed reference, exactly.
bool grade(GraderKind kind, std::string_view output, std::string_view reference,
           std::string_view answer_prefix = "answer:");

}  // namespace foresight
