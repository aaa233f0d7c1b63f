// y[n, W.rows] = x[n, W.cols] * W^T for weights in F32, BF16, F16 or Q8_0.
// A few rows (decoding) go through a hand-written kernel that streams the weights once in their
// stored type (AVX2); more rows go through OpenBLAS's sgemm, single-threaded, on fp32 blocks of
// W of a fixed size shared among the OpenMP threads (the same numbers whatever the thread
// count). Q8_0 takes any number of rows through its integer kernel (chosen at run time,
// src/core/q8_kernels.hpp), the input quantised to 8 bits too, as llama.cpp does.
#pragma once
#include <initializer_list>

#include "core/matrix.hpp"

namespace foresight {

void matmul(const Matrix& w, const float* x, int64_t n, float* y);

// The same product with every row of y bit for bit what matmul gives that row alone (n = 1),
// whatever n is: sequences decoded together in a batch get exactly the numbers each would get
// decoded alone. Faster than n single-row calls (W is read about once), slower than sgemm.
void matmul_rowwise(const Matrix& w, const float* x, int64_t n, float* y);

// One of several products of the same input rows: y = x W^T.
struct Product {
  const Matrix& w;
  float* y;
};

// Every product, as matmul and matmul_rowwise give each. matmul_rowwise runs them in one
// parallel pass over all their blocks of weights (a layer's q, k and v; gate and up), so the
// threads share the work evenly and meet once. The products' weights have one type and width.
void matmul(std::initializer_list<Product> products, const float* x, int64_t n);
void matmul_rowwise(std::initializer_list<Product> products, const float* x, int64_t n);

// The row count up to which matmul streams the weights instead of calling sgemm.
constexpr int64_t kGemvMaxRows = 4;

}  // namespace foresight
