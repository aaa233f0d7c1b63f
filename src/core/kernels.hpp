// Small fp32 kernels of the transformer forward pass.
#pragma once
#include <cstdint>

namespace foresight {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i], for one vector of length n. Returns the
// scale 1 / sqrt(mean(x^2) + eps), which training keeps for the backward pass.
float rms_norm(const float* x, const float* weight, int64_t n, double eps, float* out);
// rms_norm for `rows` vectors of length n, one after the other.
void rms_norm_rows(const float* x, const float* weight, int64_t rows, int64_t n, double eps,
                   float* out);
// In place: x = softmax(x) over n values. Returns the log of the normaliser plus the max,
// i.e. logsumexp(x) before the call.
double softmax(float* x, int64_t n);
// softmax of each of `rows` rows of n values, `stride` apart (a GQA group's probabilities),
// each exactly as softmax gives it.
void softmax_rows(float* x, int rows, int64_t n, int64_t stride);
// x[i] = std::exp(x[i]) for i < n, bit for bit, eight at a time: the C library's expf
// (glibc's, since 2.27) vectorised, i.e. its algorithm and constants: 2^(k/32) from a table
// times a cubic in the remainder, in double precision, with the same fused operations. Lanes
// outside |x| < 88 (overflow, underflow, inf, NaN) take std::exp itself. Checked against
// std::exp over the float range (Kernels.ExpMatchesTheLibraryBitForBit), so the kernels that
// use it give the numbers the scalar loop gave.
void exp_inplace(float* x, int64_t n);
// gate[i] = silu(gate[i]) * up[i]
void silu_mul(float* gate, const float* up, int64_t n);
// y[i] += x[i]
void add_inplace(float* y, const float* x, int64_t n);
float dot(const float* a, const float* b, int64_t n);
// out[g * out_stride + j] = scale * dot(q + g * n, rows + j * n, n) for g < queries and
// j < count: the attention scores of a GQA group's queries over their head's keys, four keys
// at a time, each key read once for every two queries. A score depends on neither count nor
// queries (the same summation order for every key and query).
void dot_rows(const float* q, int queries, const float* rows, int64_t count, int64_t n, float scale,
              float* out, int64_t out_stride);
// out[g * n + i] = sum over j < count of w[g * w_stride + j] * rows[j * n + i]: the attention
// outputs of a group's queries over their head's values, each value read once for every two
// queries, kept in registers across all rows. A sum depends on neither n's blocking nor
// queries (every output accumulates its rows in order).
void weighted_rows(const float* w, int64_t w_stride, int queries, const float* rows, int64_t count,
                   int64_t n, float* out);

}  // namespace foresight
