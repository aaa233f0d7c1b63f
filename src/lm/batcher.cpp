#include "lm/batcher.hpp"

#include <numeric>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace foresight {

Json DataPosition::to_json() const {
  return {{"epoch", epoch}, {"cursor", cursor}, {"waiting", waiting}};
}

DataPosition DataPosition::from_json(const Json& j, const std::string& where) {
  DataPosition p;
  try {
    p.epoch = j.at("epoch").get<int64_t>();
    p.cursor = j.at("cursor").get<int64_t>();
    p.waiting = j.at("waiting").get<std::vector<int64_t>>();
  } catch (const Json::exception& e) {
    fail("{}: bad data position: {}", where, e.what());
  }
  return p;
}

Batcher::Batcher(const TraceDataset& data, BatchLimits limits, DataSettings settings, uint64_t seed)
    : data_(data), limits_(limits), settings_(std::move(settings)), seed_(seed) {
  if (data_.examples.empty())
    fail("no training examples (all files empty, or every example dropped as too long)");
  shuffle_epoch();
}

void Batcher::set_position(DataPosition pos) {
  const auto n = static_cast<int64_t>(data_.examples.size());
  if (pos.cursor < 0 || pos.cursor > n || pos.epoch < 0)
    fail("data position (epoch {}, cursor {}) does not fit a dataset of {} examples", pos.epoch,
         pos.cursor, n);
  for (int64_t i : pos.waiting)
    if (i < 0 || i >= n)
      fail("data position: waiting example {} is outside the dataset of {}", i, n);
  pos_ = std::move(pos);
  shuffle_epoch();
}

void Batcher::shuffle_epoch() {
  order_.resize(data_.examples.size());
  std::iota(order_.begin(), order_.end(), int64_t{0});
  Rng rng(seed_ ^ (0x5851f42d4c957f2dull * static_cast<uint64_t>(pos_.epoch + 1)));
  for (size_t i = order_.size() - 1; i > 0; --i)  // Fisher-Yates
    std::swap(order_[i], order_[rng.next() % (i + 1)]);
}

int64_t Batcher::draw(int64_t cap, int64_t step) {
  for (size_t i = 0; i < pos_.waiting.size(); ++i) {
    const int64_t e = pos_.waiting[i];
    if (data_.examples[e].inputs() <= cap) {
      pos_.waiting.erase(pos_.waiting.begin() + static_cast<std::ptrdiff_t>(i));
      return e;
    }
  }
  // Every example is drawn at most once before all have waited: after a full dataset of
  // draws without one that fits, none can.
  for (size_t tries = 0; tries <= data_.examples.size(); ++tries) {
    if (pos_.cursor == static_cast<int64_t>(order_.size())) {
      ++pos_.epoch, pos_.cursor = 0;
      shuffle_epoch();
    }
    const int64_t e = order_[pos_.cursor++];
    if (data_.examples[e].inputs() <= cap) return e;
    pos_.waiting.push_back(e);
  }
  fail("no training example fits the curriculum's length cap of {} tokens at step {}", cap, step);
}

Batch Batcher::next(int64_t step) {
  const int64_t cap = settings_.length_cap(step);
  Batch batch;
  while (batch.sequences() < limits_.sequences) {
    const int64_t e = draw(cap, step);
    const Example& ex = data_.examples[e];
    if (batch.sequences() > 0 && batch.rows() + ex.inputs() > limits_.tokens) {
      // Full: this example opens the next batch.
      pos_.waiting.insert(pos_.waiting.begin(), e);
      break;
    }
    batch.add(ex.ids, ex.first_target, ex.visible_until);
  }
  return batch;
}

}  // namespace foresight
