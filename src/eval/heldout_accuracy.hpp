// Greedy accuracy on held-out problems, as an evaluation during training: of the full cache while
// the LM trains (the model is written as a directory and loaded into the engine), and of the
// judge being trained under its budget while train-judge runs. Metrics "accuracy" (all
// problems) and "accuracy_<group>" per group.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "eval/policy_grid.hpp"
#include "lm/training_eval.hpp"
#include "model/model.hpp"
#include "model/tokenizer.hpp"
#include "tasks/task_problem.hpp"

namespace foresight {

class Cluster;

// Each problem solved greedily from its prompt under `run`, graded by its answer line; the
// problems shared by the ranks of `cluster` when given (the metrics are rank 0's).
Metrics greedy_accuracy(const Model& model, const Tokenizer& tokenizer,
                        std::span<const TaskProblem> problems, const PolicyRun& run,
                        int max_new_tokens, const Cluster* cluster = nullptr);

std::unique_ptr<TrainingEval> make_heldout_accuracy_eval(std::vector<TaskProblem> problems,
                                                         int64_t every, int max_new_tokens);

}  // namespace foresight
