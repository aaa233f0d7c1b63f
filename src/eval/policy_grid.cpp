#include "eval/policy_grid.hpp"

#include <algorithm>
#include <charconv>

#include "core/error.hpp"

namespace foresight {

namespace {

std::vector<std::string> split_pieces(std::string_view text, std::string_view field) {
  std::vector<std::string> pieces;
  for (size_t begin = 0; begin <= text.size();) {
    const size_t end = std::min(text.find(',', begin), text.size());
    if (end == begin) fail_field(field, ": empty entry in '{}'", text);
    pieces.emplace_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return pieces;
}

std::vector<std::string> unique(std::vector<std::string> items, std::string_view field) {
  for (size_t i = 0; i < items.size(); ++i)
    if (std::find(items.begin(), items.begin() + long(i), items[i]) != items.begin() + long(i))
      fail_field(field, ": '{}' is listed twice", items[i]);
  return items;
}

// The list's policy specs: a piece `param=value` after a `name:param=value` continues it, so
// that "snapkv:window=16,kernel=5,h2o" is two policies.
std::vector<std::string> split_policies(std::string_view text, std::string_view field) {
  std::vector<std::string> items;
  for (const std::string& piece : split_pieces(text, field)) {
    const bool continues = !items.empty() && items.back().find(':') != std::string::npos &&
                           piece.find('=') != std::string::npos &&
                           piece.find(':') == std::string::npos;
    if (continues) items.back() += "," + piece;
    else items.push_back(piece);
  }
  return unique(std::move(items), field);
}

int parse_budget(std::string_view text, std::string_view field) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1)
    fail_field(field, ": '{}' is not a positive whole number of KV entries", text);
  return value;
}

}  // namespace

std::vector<int> parse_budgets(std::string_view text, std::string_view field) {
  std::vector<int> values;
  for (const std::string& b : unique(split_pieces(text, field), field))
    values.push_back(parse_budget(b, field));
  return values;
}

std::vector<PolicyRun> policy_grid(std::string_view policies, std::string_view budgets,
                                   int evict_every, std::string_view sinks,
                                   const PolicyOptions& options, std::string_view policies_field,
                                   std::string_view budgets_field) {
  const std::vector<int> budget_values =
      budgets.empty() ? std::vector<int>{} : parse_budgets(budgets, budgets_field);
  std::vector<PolicyRun> runs;
  constexpr std::string_view kPromptSuffix = "+prompt";
  for (const std::string& name : split_policies(policies, policies_field)) {
    // "snapkv+prompt:window=16": the suffix ends the name, before the parameters.
    const size_t colon = std::min(name.find(':'), name.size());
    const bool prompt = std::string_view(name).substr(0, colon).ends_with(kPromptSuffix);
    const std::string base =
        prompt ? name.substr(0, colon - kPromptSuffix.size()) + name.substr(colon) : name;
    std::shared_ptr<const Policy> impl = make_policy(base, options, policies_field);
    if (prompt && !impl)
      fail_field(policies_field, ": '{}': the full cache evicts nothing to protect", name);
    EvictionSchedule schedule{0, evict_every, 0};
    schedule.set_sinks(prompt ? "prompt" : sinks, default_sinks(impl.get()));
    schedule.set_recent(default_recent(impl.get()));
    if (!impl) {
      schedule.validate();
      runs.push_back({name, std::nullopt, schedule, nullptr});
      continue;
    }
    if (budget_values.empty())
      fail_field(budgets_field, " is missing: policy '{}' keeps a budget", name);
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
