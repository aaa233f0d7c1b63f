#include "lm/batch.hpp"

#include "core/error.hpp"

namespace foresight {

int64_t Batch::max_length() const {
  int64_t longest = 0;
  for (size_t i = 0; i + 1 < offsets.size(); ++i)
    longest = std::max(longest, offsets[i + 1] - offsets[i]);
  return longest;
}

void Batch::add(std::span<const int32_t> ids, int64_t first_target,
                std::span<const int32_t> until) {
  const auto n = static_cast<int64_t>(ids.size());
  if (n < 2 || first_target < 1 || first_target >= n)
    fail("batch: an example of {} tokens cannot have its targets start at token {}", n,
         first_target);
  if (!until.empty() && static_cast<int64_t>(until.size()) != n - 1)
    fail("batch: an example of {} inputs has {} visibility limits", n - 1, until.size());
  // Once one example has limits, every row has one (the others' never reached).
  if (!until.empty() && visible_until.empty()) visible_until.assign(tokens.size(), kSeenByAll);
  if (!until.empty()) visible_until.insert(visible_until.end(), until.begin(), until.end());
  else if (!visible_until.empty()) visible_until.insert(visible_until.end(), n - 1, kSeenByAll);
  for (int64_t t = 0; t + 1 < n; ++t) {
    tokens.push_back(ids[t]);
    positions.push_back(static_cast<int32_t>(t));
    const bool trained = t + 1 >= first_target;
    targets.push_back(trained ? ids[t + 1] : -1);
    target_count += trained;
  }
  offsets.push_back(rows());
}

Batch Batch::subset(std::span<const int64_t> sequences) const {
  Batch out;
  for (int64_t s : sequences) {
    const int64_t begin = offsets[s], end = offsets[s + 1];
    out.tokens.insert(out.tokens.end(), tokens.begin() + begin, tokens.begin() + end);
    out.positions.insert(out.positions.end(), positions.begin() + begin, positions.begin() + end);
    out.targets.insert(out.targets.end(), targets.begin() + begin, targets.begin() + end);
    if (!visible_until.empty())
      out.visible_until.insert(out.visible_until.end(), visible_until.begin() + begin,
                               visible_until.begin() + end);
    for (int64_t t = begin; t < end; ++t) out.target_count += targets[t] >= 0;
    out.offsets.push_back(out.rows());
  }
  return out;
}

}  // namespace foresight
