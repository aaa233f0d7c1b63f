// Datasets of problems as JSONL, one problem a line:
//   {"id": "...", "group": "...", "prompt": "...", "answer": "...", "trace": "..."}
// Reading accepts datasets from elsewhere too: "id" and "answer" may be strings or integers,
// "trace" is optional (evaluation datasets may lack it: it reads as empty), "group" is optional
// (default "all", the whole-dataset group of the evaluation report, so an ungrouped dataset
// reports one group), other fields are ignored, blank lines are skipped. Errors name the file
// and line: invalid JSON, not an object, a missing or mistyped field, a repeated id.
#pragma once
#include <filesystem>
#include <span>
#include <vector>

#include "tasks/task_problem.hpp"

namespace foresight {

// Writes atomically (a temporary file renamed into place). An empty trace is left out.
void write_dataset(const std::filesystem::path& path, std::span<const TaskProblem> problems);

std::vector<TaskProblem> read_dataset(const std::filesystem::path& path);

}  // namespace foresight
