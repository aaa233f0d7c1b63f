// Causal attention of a chunk of queries over one layer's cache. The chunk's own keys and
// values are already appended, so query i of an n-query chunk sees the first
// count - n + i + 1 entries of its KV head (entries stay in original order).
#pragma once
#include "kv/kv_cache.hpp"
#include "model/config.hpp"

namespace foresight {

// q: [n, n_heads, head_dim] post-RoPE; out: [n, n_heads, head_dim].
void attend(const ModelConfig& config, const KvCache& cache, int layer, const float* q, int n,
            float* out);

}  // namespace foresight
