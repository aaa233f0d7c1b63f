// Records the block-averaged attention of a pass (BlockAttention) from the probabilities the
// attention kernel computes anyway: the kernel hands each query's probabilities over to
// add_query and closes the blocks with end_queries, so Golden Eviction needs no second
// attention implementation. Attach one to a Sequence (SequenceSettings::recorder) for one pass
// over a known number of tokens; the chunks must not cross a block boundary (forward_tokens cuts
// them at the schedule's L, which must be the recorder's block).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "kv/block_attention.hpp"
#include "model/config.hpp"

namespace foresight {

class AttentionRecorder {
 public:
  AttentionRecorder(const ModelConfig& config, int64_t n_tokens, int block);

  // Query head `head` of `layer` at `position` gave probabilities probs[e] to the cache entries
  // at positions[e]. Called from the kernel's parallel loop (one thread per query head), so it
  // cannot throw: a query beyond the recorder's tokens is skipped and end_queries refuses it.
  void add_query(int layer, int head, int64_t position, const float* probs,
                 std::span<const int32_t> positions);
  // After `layer`'s attention for queries [first_position, first_position + n): closes the
  // block their last query completes (a full block, or the trace's last tokens). Error for
  // queries beyond the recorder's tokens or across a block boundary.
  void end_queries(int layer, int64_t first_position, int n);

  const BlockAttention& means() const { return means_; }
  BlockAttention take() { return std::move(means_); }

 private:
  int n_heads_, group_;
  BlockAttention means_;
  // Per layer: the open block's probability sums per query head and key, [n_heads, n_tokens].
  std::vector<std::vector<float>> sums_;
};

}  // namespace foresight
