#include "train/future_cache.hpp"

#include "train/golden.hpp"

namespace foresight {

FutureCache::FutureCache(const Model& model, const std::vector<Trace>& traces, int evict_every)
    : model_(model),
      traces_(traces),
      evict_every_(evict_every),
      futures_(traces.size()),
      recorded_(traces.size()) {}

std::shared_ptr<const FutureAttention> FutureCache::at(size_t trace) {
  std::call_once(recorded_.at(trace), [&] {
    futures_[trace] = std::make_shared<const FutureAttention>(
        record_future_attention(model_, traces_[trace].ids, evict_every_));
  });
  return futures_[trace];
}

}  // namespace foresight
