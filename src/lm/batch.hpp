// A training batch: sequences of mixed lengths packed one after another (no padding), each
// with its next-token targets. The matrix products run over all packed rows at once; only the
// attention looks at sequence boundaries.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace foresight {

struct Batch {
  std::vector<int32_t> tokens;     // input ids
  std::vector<int32_t> positions;  // each token's position in its sequence
  std::vector<int32_t> targets;    // the next token, or -1 where no loss is taken
  // Row t's key is seen by the queries of its sequence at positions [positions[t], until[t]):
  // an evicting cache's view (trace_dataset.hpp, live masks). Empty: every later query sees
  // every key, as in a batch whose examples have no limits.
  static constexpr int32_t kSeenByAll = INT32_MAX;
  std::vector<int32_t> visible_until;
  std::vector<int64_t> offsets{0};  // sequence i is rows [offsets[i], offsets[i + 1])
  int64_t target_count = 0;

  int64_t rows() const { return static_cast<int64_t>(tokens.size()); }
  int64_t sequences() const { return static_cast<int64_t>(offsets.size()) - 1; }
  // The longest sequence: positions run below it.
  int64_t max_length() const;

  // Appends one example: inputs ids[0, n - 1), targets ids[t + 1] for the positions t that
  // predict ids[first_target..] (the trace and its end token), so no position is wasted on a
  // final token that predicts nothing. Needs ids.size() >= 2 and 1 <= first_target < n.
  // `until` (empty, or one entry per input) limits which queries see each key.
  void add(std::span<const int32_t> ids, int64_t first_target, std::span<const int32_t> until = {});
  // A batch of some of these sequences, in the order given.
  Batch subset(std::span<const int64_t> sequences) const;
};

}  // namespace foresight
