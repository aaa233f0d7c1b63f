// Cross-entropy of next-token logits, with its gradient fused in: the gradient of a row is
// softmax(logits) - onehot(target), which falls out of the same pass.
#pragma once
#include <cstdint>

namespace foresight {

// Returns the sum over rows of -log softmax(logits[r])[targets[r]]. When d_logits is given
// (it may be `logits` itself) it receives grad_scale * (softmax - onehot) per row.
double cross_entropy(const float* logits, const int32_t* targets, int64_t rows, int64_t vocab,
                     float grad_scale, float* d_logits);

}  // namespace foresight
