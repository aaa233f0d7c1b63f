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
// gate[i] = silu(gate[i]) * up[i]
void silu_mul(float* gate, const float* up, int64_t n);
// y[i] += x[i]
void add_inplace(float* y, const float* x, int64_t n);
float dot(const float* a, const float* b, int64_t n);
// out[j] = scale * dot(q, rows + j * n, n) for j < count: attention scores of one query over a
// head's keys, four keys at a time; a key's score does not depend on count.
void dot_rows(const float* q, const float* rows, int64_t count, int64_t n, float scale,
              float* out);
// out = sum over j < count of w[j] * (rows + j * n): one query's attention output over a head's
// values, kept in registers across all rows.
void weighted_rows(const float* w, const float* rows, int64_t count, int64_t n, float* out);

}  // namespace foresight
