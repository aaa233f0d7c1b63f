// Causal attention of a chunk of queries over one layer's cache. The chunk's own keys and
// values are already appended, so query i of an n-query chunk sees the first
// count - n + i + 1 entries of its KV head (entries stay in original order). The softmax
// probabilities also feed the statistics the sequence's policy needs and, when the sequence
// has one, its attention recorder (Golden Eviction).
#pragma once
#include "kv/sequence.hpp"
#include "model/config.hpp"

namespace foresight {

// q: [n, n_heads, head_dim] post-RoPE, for positions first_position..; out: same shape.
void attend(const ModelConfig& config, Sequence& seq, int layer, const float* q, int n,
            int64_t first_position, float* out);

}  // namespace foresight
