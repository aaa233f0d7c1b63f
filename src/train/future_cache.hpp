// The future attention of each trace of a training set (Golden Eviction's labels, docs/method.md
// section 4), recorded on first use by a full-cache pass and kept, so that a trace seen again in a
// later step or evaluation is not run through the full cache again. Safe to use from parallel jobs.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "eval/trace.hpp"
#include "kv/block_attention.hpp"
#include "model/model.hpp"

namespace foresight {

class FutureCache {
 public:
  // Keeps a reference to `traces`, which must outlive it.
  FutureCache(const Model& model, const std::vector<Trace>& traces, int evict_every);
  FutureCache(const Model&, std::vector<Trace>&&, int) = delete;
  std::shared_ptr<const FutureAttention> at(size_t trace);

 private:
  const Model& model_;
  const std::vector<Trace>& traces_;
  int evict_every_;
  std::vector<std::shared_ptr<const FutureAttention>> futures_;
  std::vector<std::once_flag> recorded_;
};

}  // namespace foresight
