// y[n, W.rows] = x[n, W.cols] * W^T for weights in F32, BF16 or F16.
// A few rows (decoding) go through a hand-written AVX2 kernel that streams the weights once
// in their stored type; more rows go through OpenBLAS sgemm on fp32 blocks of W.
#pragma once
#include "core/matrix.hpp"

namespace foresight {

void matmul(const Matrix& w, const float* x, int64_t n, float* y);

// The same product with every row of y bit for bit what matmul gives that row alone (n = 1),
// whatever n is: sequences decoded together in a batch get exactly the numbers each would get
// decoded alone. Faster than n single-row calls (W is read about once), slower than sgemm.
void matmul_rowwise(const Matrix& w, const float* x, int64_t n, float* y);

// The row count up to which matmul streams the weights instead of calling sgemm.
constexpr int64_t kGemvMaxRows = 4;

}  // namespace foresight
