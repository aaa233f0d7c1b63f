#include <algorithm>
#include <cstdio>
#include <map>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "tasks/dataset.hpp"
#include "tasks/task_registry.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string family, out;
  int n = 0;
  uint64_t seed = 1;
  std::vector<std::string> knobs;
};

// Trace lengths in characters (= tokens for the byte-level model), per group and in total.
void print_summary(const std::vector<TaskProblem>& problems, const Options& o) {
  struct Lengths {
    size_t count = 0, sum = 0, min = SIZE_MAX, max = 0, prompt_sum = 0;
    void add(const TaskProblem& p) {
      ++count;
      sum += p.trace.size();
      min = std::min(min, p.trace.size());
      max = std::max(max, p.trace.size());
      prompt_sum += p.prompt.size();
    }
  };
  std::map<std::string, Lengths> groups;
  Lengths total;
  for (const TaskProblem& p : problems) {
    groups[p.group].add(p);
    total.add(p);
  }
  std::fprintf(stderr, "wrote %zu problems to %s (family %s, seed %llu)\n", problems.size(),
               o.out.c_str(), o.family.c_str(), static_cast<unsigned long long>(o.seed));
  if (groups.size() > 1) groups.emplace("all", total);
  for (const auto& [group, l] : groups)
    std::fprintf(
        stderr,
        "  %-8s %5zu problems; trace characters mean %.1f, min %zu, max %zu; prompt mean %.1f\n",
        group.c_str(), l.count, double(l.sum) / double(l.count), l.min, l.max,
        double(l.prompt_sum) / double(l.count));
}

}  // namespace

void add_tasks_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("tasks", "write a JSONL dataset of synthetic reasoning problems");
  auto o = std::make_shared<Options>();
  cmd->add_option(
         "--family", o->family,
         "program, walk, lemmas, carry, pointer, all, or a comma-separated list (the families take turns)")
      ->required();
  cmd->add_option("--n", o->n, "number of problems")->required();
  cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
  cmd->add_option(
      "--knob", o->knobs,
      "name=value or name=lo..hi (drawn per problem); repeatable. Knobs:\n" + task_knob_help());
  cmd->add_option("--out", o->out, "output JSONL file")->required();
  cmd->callback([o] {
    const auto problems = make_task_problems(o->family, o->n, o->seed, o->knobs);
    write_dataset(o->out, problems);
    print_summary(problems, *o);
  });
}

}  // namespace foresight::cli
