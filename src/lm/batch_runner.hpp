// Runs batches through the network on all threads. The sequences of a batch are dealt to one
// shard per thread (costliest first, each to the least loaded shard), and each thread runs its
// shard through its own network, single-threaded, into its own gradient buffer; the buffers
// are then added in thread order. That is two synchronisations per batch instead of one per
// operator, which matters on a shared machine, where a thread waiting at a barrier may wait for
// a partner that is not running. A batch that does not split evenly (one long sequence)
// runs as one, each operator parallel inside.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "lm/lm_network.hpp"

namespace foresight {

class BatchRunner {
 public:
  BatchRunner(const ModelConfig& config, int64_t max_positions);

  // The summed cross-entropy over the batch's targets; grads += grad_scale * its gradient.
  double loss_and_gradient(const LmParameters& params, const Batch& batch, float grad_scale,
                           std::span<float> grads);
  // The summed cross-entropy only (evaluation).
  double loss(const LmParameters& params, const Batch& batch);

 private:
  // The sequences of each shard, or nothing when the batch should run as one.
  std::vector<std::vector<int64_t>> plan(const Batch& batch) const;

  ModelConfig config_;
  std::vector<std::unique_ptr<LmNetwork>> networks_;  // one per thread
  std::vector<std::vector<float>> grads_;             // per thread but the first
};

}  // namespace foresight
