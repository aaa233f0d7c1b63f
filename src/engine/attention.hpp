// Causal attention of chunks of queries over their sequences' caches, for one layer. Each
// chunk's own keys and values are already appended, so query i of an n-query chunk sees the
// first count - n + i + 1 entries of its KV head (entries stay in original order). The softmax
// probabilities also feed the statistics each sequence's policy and observer read and, when the
// sequence has one, its attention recorder (Golden Eviction).
#pragma once
#include <span>

#include "engine/sequence.hpp"
#include "model/config.hpp"

namespace foresight {

// A sequence's share of a forward pass: its `n` next tokens are rows first_row.. of the pass's
// activations. A prefill chunk is one share; a batched decoding step is one row per sequence.
struct SequenceRows {
  Sequence* seq;
  int first_row, n;
};

// q: [rows, n_heads, head_dim] post-RoPE, each share's rows at its sequence's next positions;
// out: same shape. One task per (share, KV head), whose query heads read its keys together,
// so a batch of sequences keeps every thread busy and each sequence's numbers are those it
// gets alone.
void attend(const ModelConfig& config, std::span<const SequenceRows> shares, int layer,
            const float* q, float* out);

}  // namespace foresight
