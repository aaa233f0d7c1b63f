// Greedy full-cache accuracy on held-out problems as an evaluation during LM training: the
// model is written as a directory, loaded into the engine, and solves each problem from its
// prompt; metrics "accuracy" (all problems) and "accuracy_<group>" per group.
#pragma once
#include <memory>
#include <vector>

#include "lm/training_eval.hpp"
#include "tasks/task_problem.hpp"

namespace foresight {

std::unique_ptr<TrainingEval> make_heldout_accuracy_eval(std::vector<TaskProblem> problems,
                                                         int64_t every, int max_new_tokens);

}  // namespace foresight
