#include "eval/result_row.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "core/error.hpp"

namespace foresight {

namespace {
std::string budget_text(std::optional<int> budget) {
  return budget ? std::to_string(*budget) : "full";
}
}  // namespace

void check_result_rows(const std::vector<ResultRow>& rows, std::string_view where) {
  std::set<std::tuple<std::string, int, std::string>> seen;  // budget -1 stands for full
  for (size_t i = 0; i < rows.size(); ++i) {
    const ResultRow& r = rows[i];
    const auto row = [&] {
      return fmt::format("{}: result {} (policy '{}', budget {}, group '{}')", where, i, r.policy,
                         budget_text(r.budget), r.group);
    };
    if (r.policy.empty()) fail("{}: empty policy name", row());
    if (r.group.empty()) fail("{}: empty group name", row());
    if (r.budget && *r.budget < 1) fail("{}: budget must be at least 1", row());
    if (!(r.accuracy >= 0 && r.accuracy <= 1)) {
      fail("{}: accuracy {} is outside 0..1", row(), r.accuracy);
    }
    if (r.n_problems < 0 || r.n_samples < 0) fail("{}: negative problem or sample count", row());
    if (!seen.emplace(r.policy, r.budget.value_or(-1), r.group).second) {
      fail("{}: repeats an earlier result", row());
    }
  }
}

std::vector<std::string> groups_in_order(const std::vector<ResultRow>& rows) {
  std::vector<std::string> groups;
  for (const ResultRow& r : rows) {
    if (std::find(groups.begin(), groups.end(), r.group) == groups.end()) {
      groups.push_back(r.group);
    }
  }
  std::stable_partition(groups.begin(), groups.end(),
                        [](const std::string& g) { return g == "all"; });
  return groups;
}

std::vector<std::string> policies_in_order(const std::vector<ResultRow>& rows,
                                           std::string_view group) {
  std::vector<std::string> policies;
  for (const ResultRow& r : rows) {
    if (r.group == group &&
        std::find(policies.begin(), policies.end(), r.policy) == policies.end()) {
      policies.push_back(r.policy);
    }
  }
  return policies;
}

std::vector<int> budgets_ascending(const std::vector<ResultRow>& rows, std::string_view group) {
  std::set<int> budgets;
  for (const ResultRow& r : rows) {
    if (r.group == group && r.budget) budgets.insert(*r.budget);
  }
  return {budgets.begin(), budgets.end()};
}

const ResultRow* find_row(const std::vector<ResultRow>& rows, std::string_view policy,
                          std::optional<int> budget, std::string_view group) {
  for (const ResultRow& r : rows) {
    if (r.policy == policy && r.budget == budget && r.group == group) return &r;
  }
  return nullptr;
}

bool has_full(const std::vector<ResultRow>& rows, std::string_view group) {
  return std::any_of(rows.begin(), rows.end(),
                     [&](const ResultRow& r) { return r.group == group && !r.budget; });
}

}  // namespace foresight
