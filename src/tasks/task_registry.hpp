// The task families by name, and datasets of problems drawn from them.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tasks/task_problem.hpp"

namespace foresight {

// "program", "pointer", "carry", "walk", "lemmas" (see the *_task.hpp headers).
std::vector<std::string_view> task_families();

// One line per family listing its knobs with default and allowed range, for --help.
// Lines are separated by \n, with none at the end.
std::string task_knob_help();

// n problems of `family`: a name, "all", or a comma-separated list of them ("walk,lemmas"); the
// selected families take turns, so each gets its share of n give or take one.
// Problem i is drawn from its own generator, seeded by the i-th draw of Rng(seed) mixed with the
// family's name: a seed gives the same problems everywhere, and a larger n extends a smaller one.
// Ids are
// "<family>-<seed>-<i>". `knobs` are `name=value` or `name=lo..hi` (a value drawn per problem);
// a knob applies to every selected family that has one of that name, `family.name=...` to that
// family's only. Errors name the option:
// unknown family, unknown knob, bad value, value out of range, n < 1.
std::vector<TaskProblem> make_task_problems(std::string_view family, int n, uint64_t seed,
                                            std::span<const std::string> knobs = {});

// The live set of a problem's text (its prompt and the trace written so far, one character a
// token): the characters a solver following its family's rules must still hold to finish,
// computed without knowing the future (tasks/live_marks.hpp). The family is read from the
// first line, `task FAMILY` (until that line is complete, everything is live); any other text
// is an error.
std::vector<char> live_set(std::string_view text);

}  // namespace foresight
