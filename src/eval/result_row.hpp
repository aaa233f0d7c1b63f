// One evaluation result (accuracy of a policy at a budget on a group of problems) and the
// small queries the report writers share.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

struct ResultRow {
  std::string policy;
  std::optional<int> budget;  // KV entries kept per head; nullopt: the full cache
  std::string group = "all";  // "all" for the whole dataset, else a dataset "group" value
  double accuracy = 0;        // 0..1
  int n_problems = 0, n_samples = 0;
};

// Throws an Error naming `where` (a file, or a caller) for a row that is malformed (empty
// policy or group, budget < 1, accuracy outside 0..1, negative counts) or a repeated
// (policy, budget, group).
void check_result_rows(const std::vector<ResultRow>& rows, std::string_view where);

// Groups in order of first appearance, except that "all" comes first when present.
std::vector<std::string> groups_in_order(const std::vector<ResultRow>& rows);
// The policies of one group, in order of first appearance.
std::vector<std::string> policies_in_order(const std::vector<ResultRow>& rows,
                                           std::string_view group);
// The distinct budgets of one group, ascending (full-cache rows excluded).
std::vector<int> budgets_ascending(const std::vector<ResultRow>& rows, std::string_view group);
// The row for (policy, budget, group), or nullptr.
const ResultRow* find_row(const std::vector<ResultRow>& rows, std::string_view policy,
                          std::optional<int> budget, std::string_view group);
// Whether any row of the group is a full-cache result.
bool has_full(const std::vector<ResultRow>& rows, std::string_view group);

}  // namespace foresight
