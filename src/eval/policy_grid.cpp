#include "eval/policy_grid.hpp"

#include <algorithm>
#include <charconv>

#include "core/error.hpp"

namespace foresight {

namespace {

std::vector<std::string> split_list(std::string_view text, std::string_view option) {
  std::vector<std::string> items;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find(',', begin), text.size());
    const std::string_view item = text.substr(begin, end - begin);
    if (item.empty()) fail("{}: empty entry in '{}'", option, text);
    if (std::find(items.begin(), items.end(), item) != items.end())
      fail("{}: '{}' is listed twice", option, item);
    items.emplace_back(item);
    begin = end + 1;
  }
  return items;
}

int parse_budget(std::string_view text, std::string_view option) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1)
    fail("{}: '{}' is not a positive whole number of KV entries", option, text);
  return value;
}

}  // namespace

std::vector<int> parse_budgets(std::string_view text, std::string_view option) {
  std::vector<int> values;
  for (const std::string& b : split_list(text, option)) values.push_back(parse_budget(b, option));
  return values;
}

std::vector<PolicyRun> policy_grid(std::string_view policies, std::string_view budgets,
                                   int evict_every, std::string_view sinks,
                                   const PolicyOptions& options,
                                   std::string_view policies_option,
                                   std::string_view budgets_option) {
  const std::vector<int> budget_values =
      budgets.empty() ? std::vector<int>{} : parse_budgets(budgets, budgets_option);
  std::vector<PolicyRun> runs;
  constexpr std::string_view kPromptSuffix = "+prompt";
  for (const std::string& name : split_list(policies, policies_option)) {
    const bool prompt = name.ends_with(kPromptSuffix);
    const std::string base = prompt ? name.substr(0, name.size() - kPromptSuffix.size()) : name;
    std::shared_ptr<const Policy> impl = make_policy(base, options, policies_option);
    if (prompt && !impl)
      fail("{}: '{}': the full cache evicts nothing to protect", policies_option, name);
    EvictionSchedule schedule{0, evict_every, 0};
    schedule.set_sinks(prompt ? "prompt" : sinks, default_sinks(base));
    if (!impl) {
      schedule.validate();
      runs.push_back({name, std::nullopt, schedule, nullptr});
      continue;
    }
    if (budget_values.empty()) fail("{}: policy '{}' needs {}", policies_option, name, budgets_option);
    for (int budget : budget_values) {
      schedule.budget = budget;
      schedule.validate();
      runs.push_back({name, budget, schedule, impl});
    }
  }
  return runs;
}

std::string run_label(const PolicyRun& run) {
  return run.budget ? fmt::format("{}@{}", run.policy, *run.budget) : run.policy;
}

}  // namespace foresight
