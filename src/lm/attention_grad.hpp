// Causal grouped-query attention over the sequences of a packed batch, and its gradient.
// Queries are processed in tiles of rows against the keys they can see, so a sequence of T
// tokens needs O(tile * T) scratch per thread, never T x T per head: the forward pass keeps
// only each query's log-normaliser (logsumexp), and the backward pass recomputes the
// probabilities from it, as FlashAttention does.
#pragma once
#include <cstdint>
#include <span>

namespace foresight {

// Row t of a packed batch at data + t * stride; head h's vector at + h * head_dim.
template <typename T>
struct StridedRows {
  T* data;
  int64_t stride;
  T* head(int64_t t, int h, int head_dim) const {
    return data + t * stride + int64_t{h} * head_dim;
  }
};

struct AttentionShape {
  int n_heads = 0, n_kv_heads = 0, head_dim = 0;
};

// Sequence i holds rows [offsets[i], offsets[i + 1]); q (post-RoPE) has n_heads heads per
// row, k (post-RoPE) and v n_kv_heads. out: [rows, n_heads * head_dim]; lse: [n_heads, rows].
// visible_until (nullptr: none) hides row t's key from the queries of its sequence at positions
// visible_until[t] and later, as an evicting cache would; each key must stay visible to its
// own query (visible_until[t] > t's position), so that no row is left without keys.
void attention_forward(const AttentionShape& shape, std::span<const int64_t> offsets,
                       const int32_t* visible_until, StridedRows<const float> q,
                       StridedRows<const float> k, StridedRows<const float> v, float* out,
                       float* lse);

// Gradients with respect to q, k and v from d_out, given the forward's out and lse. Every
// row of dq, dk and dv is overwritten.
void attention_backward(const AttentionShape& shape, std::span<const int64_t> offsets,
                        const int32_t* visible_until, StridedRows<const float> q,
                        StridedRows<const float> k, StridedRows<const float> v, const float* out,
                        const float* lse, const float* d_out, StridedRows<float> dq,
                        StridedRows<float> dk, StridedRows<float> dv);

}  // namespace foresight
