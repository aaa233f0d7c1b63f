// The order in which training examples become batches: epochs in a seeded random order, each
// batch filled up to the batch limits, and the curriculum's length cap (an example longer
// than the cap of the current step waits, in order, until the cap reaches it). The position
// in that stream is three numbers and a list, saved in checkpoints, so a resumed run draws
// exactly the batches the uninterrupted run would have.
#pragma once
#include <cstdint>
#include <vector>

#include "core/json_file.hpp"
#include "lm/batch.hpp"
#include "lm/trace_dataset.hpp"
#include "lm/train_config.hpp"

namespace foresight {

struct DataPosition {
  int64_t epoch = 0, cursor = 0;  // the next example is order(epoch)[cursor]
  std::vector<int64_t> waiting;   // examples drawn but not yet used, oldest first

  Json to_json() const;
  static DataPosition from_json(const Json& j, const std::string& where);
};

class Batcher {
 public:
  // The dataset must outlive the batcher.
  Batcher(const TraceDataset& data, BatchLimits limits, DataSettings settings, uint64_t seed);

  // The batch of training step `step` (steps must come in order for a given position).
  Batch next(int64_t step);

  const DataPosition& position() const { return pos_; }
  void set_position(DataPosition pos);

 private:
  // The next example of at most `cap` input tokens: the oldest waiting one that fits, else
  // the next in the epoch's order (too-long ones join the waiting list).
  int64_t draw(int64_t cap, int64_t step);
  void shuffle_epoch();

  const TraceDataset& data_;
  BatchLimits limits_;
  DataSettings settings_;
  uint64_t seed_;
  DataPosition pos_;
  std::vector<int64_t> order_;  // of pos_.epoch
};

}  // namespace foresight
