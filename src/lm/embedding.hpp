// The token embedding: a row of E per token, and the gradient of that lookup. With tied
// embeddings E is also the LM head, whose gradient the caller adds separately.
#pragma once
#include <cstdint>

namespace foresight {

// x[i] = E[ids[i]] for n tokens of width `hidden`.
void embedding_forward(const float* table, const int32_t* ids, int64_t n, int64_t hidden, float* x);
// dE[ids[i]] += dx[i].
void embedding_backward(const int32_t* ids, const float* dx, int64_t n, int64_t hidden,
                        float* d_table);

}  // namespace foresight
