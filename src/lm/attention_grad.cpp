#include "lm/attention_grad.hpp"

#include <immintrin.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/kernels.hpp"
#include "core/simd.hpp"
#include "lm/parallel_gemm.hpp"

namespace foresight {

namespace {

constexpr int64_t kTile = 64;  // query rows per block of scores

struct WorkItem {
  int64_t begin, length;
  int head;  // a query head (forward) or a KV head (backward)
};

// One item per (sequence, head), longest sequences first so that dynamic scheduling ends with
// the short ones (the cost grows as length^2).
std::vector<WorkItem> work_items(std::span<const int64_t> offsets, int heads) {
  std::vector<WorkItem> items;
  for (size_t i = 0; i + 1 < offsets.size(); ++i)
    for (int h = 0; h < heads; ++h) items.push_back({offsets[i], offsets[i + 1] - offsets[i], h});
  std::stable_sort(items.begin(), items.end(),
                   [](const WorkItem& a, const WorkItem& b) { return a.length > b.length; });
  return items;
}

// In place: row[0, valid) = exp(row - shift), row[valid, n) = 0; returns the sum of the exps.
float exp_shifted(float* row, int64_t valid, int64_t n, float shift) {
  const __m256 vshift = _mm256_set1_ps(shift);
  __m256 acc = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= valid; j += 8) {
    const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(row + j), vshift));
    _mm256_storeu_ps(row + j, e);
    acc = _mm256_add_ps(acc, e);
  }
  float sum = hsum(acc);
  for (; j < valid; ++j) {
    row[j] = std::exp(row[j] - shift);
    sum += row[j];
  }
  std::fill(row + valid, row + n, 0.0f);
  return sum;
}

// Scores of keys [0, valid) that the query at position `query` may not see become -inf (their
// exps 0); `until` holds the sequence's keys' limits, or is nullptr.
void hide_keys(float* row, int64_t valid, const int32_t* until, int64_t query) {
  if (until == nullptr) return;
  const float hidden = -std::numeric_limits<float>::infinity();
#pragma omp simd
  for (int64_t j = 0; j < valid; ++j) row[j] = until[j] > query ? row[j] : hidden;
}

std::vector<float>& scratch(int which, int64_t size) {
  thread_local std::vector<float> buffers[2];
  buffers[which].resize(static_cast<size_t>(size));
  return buffers[which];
}

}  // namespace

void attention_forward(const AttentionShape& s, std::span<const int64_t> offsets,
                       const int32_t* visible_until, StridedRows<const float> q,
                       StridedRows<const float> k, StridedRows<const float> v, float* out,
                       float* lse) {
  const int d = s.head_dim, group = s.n_heads / s.n_kv_heads;
  const int64_t rows_total = offsets.back(), out_stride = int64_t{s.n_heads} * d;
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const auto items = work_items(offsets, s.n_heads);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t it = 0; it < items.size(); ++it) {
    const WorkItem w = items[it];
    const int h = w.head, hk = h / group;
    const int32_t* until = visible_until ? visible_until + w.begin : nullptr;
    float* scores = scratch(0, kTile * w.length).data();
    for (int64_t i0 = 0; i0 < w.length; i0 += kTile) {
      const int64_t rows = std::min(kTile, w.length - i0), kv = i0 + rows;
      const int64_t t0 = w.begin + i0;
      sgemm(Trans::No, Trans::Yes, rows, kv, d, scale, q.head(t0, h, d), q.stride,
            k.head(w.begin, hk, d), k.stride, 0.0f, scores, kv);
      for (int64_t r = 0; r < rows; ++r) {
        float* row = scores + r * kv;
        const int64_t valid = i0 + r + 1;
        hide_keys(row, valid, until, i0 + r);
        float max = row[0];
#pragma omp simd reduction(max : max)
        for (int64_t j = 1; j < valid; ++j) max = std::max(max, row[j]);
        const float sum = exp_shifted(row, valid, kv, max);
        const float inv = 1.0f / sum;
#pragma omp simd
        for (int64_t j = 0; j < valid; ++j) row[j] *= inv;
        lse[int64_t{h} * rows_total + t0 + r] = max + std::log(sum);
      }
      sgemm(Trans::No, Trans::No, rows, d, kv, 1.0f, scores, kv, v.head(w.begin, hk, d), v.stride,
            0.0f, out + t0 * out_stride + int64_t{h} * d, out_stride);
    }
  }
}

void attention_backward(const AttentionShape& s, std::span<const int64_t> offsets,
                        const int32_t* visible_until, StridedRows<const float> q,
                        StridedRows<const float> k, StridedRows<const float> v, const float* out,
                        const float* lse, const float* d_out, StridedRows<float> dq,
                        StridedRows<float> dk, StridedRows<float> dv) {
  const int d = s.head_dim, group = s.n_heads / s.n_kv_heads;
  const int64_t rows_total = offsets.back(), out_stride = int64_t{s.n_heads} * d;
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  // One item per (sequence, KV head): the item owns the gradients of that head's keys and
  // values, which every query head of its group adds to.
  const auto items = work_items(offsets, s.n_kv_heads);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t it = 0; it < items.size(); ++it) {
    const WorkItem w = items[it];
    const int hk = w.head;
    const int32_t* until = visible_until ? visible_until + w.begin : nullptr;
    float* probs = scratch(0, kTile * w.length).data();
    float* d_scores = scratch(1, kTile * w.length).data();
    for (int64_t t = w.begin; t < w.begin + w.length; ++t) {
      std::memset(dk.head(t, hk, d), 0, sizeof(float) * d);
      std::memset(dv.head(t, hk, d), 0, sizeof(float) * d);
    }
    for (int h = hk * group; h < (hk + 1) * group; ++h) {
      for (int64_t i0 = 0; i0 < w.length; i0 += kTile) {
        const int64_t rows = std::min(kTile, w.length - i0), kv = i0 + rows;
        const int64_t t0 = w.begin + i0;
        const float* q_tile = q.head(t0, h, d);
        const float* do_tile = d_out + t0 * out_stride + int64_t{h} * d;
        sgemm(Trans::No, Trans::Yes, rows, kv, d, scale, q_tile, q.stride, k.head(w.begin, hk, d),
              k.stride, 0.0f, probs, kv);
        for (int64_t r = 0; r < rows; ++r) {
          hide_keys(probs + r * kv, i0 + r + 1, until, i0 + r);
          exp_shifted(probs + r * kv, i0 + r + 1, kv, lse[int64_t{h} * rows_total + t0 + r]);
        }
        // dV += P^T dO;  dP = dO V^T
        sgemm(Trans::Yes, Trans::No, kv, d, rows, 1.0f, probs, kv, do_tile, out_stride, 1.0f,
              dv.head(w.begin, hk, d), dv.stride);
        sgemm(Trans::No, Trans::Yes, rows, kv, d, 1.0f, do_tile, out_stride, v.head(w.begin, hk, d),
              v.stride, 0.0f, d_scores, kv);
        // dS = P * (dP - rowsum(dO * O)), with the score scale folded in
        for (int64_t r = 0; r < rows; ++r) {
          const float* o = out + (t0 + r) * out_stride + int64_t{h} * d;
          const float centre = dot(do_tile + r * out_stride, o, d);
          const float* p = probs + r * kv;
          float* ds = d_scores + r * kv;
#pragma omp simd
          for (int64_t j = 0; j < kv; ++j) ds[j] = p[j] * (ds[j] - centre) * scale;
        }
        // dQ = dS K;  dK += dS^T Q
        sgemm(Trans::No, Trans::No, rows, d, kv, 1.0f, d_scores, kv, k.head(w.begin, hk, d),
              k.stride, 0.0f, dq.head(t0, h, d), dq.stride);
        sgemm(Trans::Yes, Trans::No, kv, d, rows, 1.0f, d_scores, kv, q_tile, q.stride, 1.0f,
              dk.head(w.begin, hk, d), dk.stride);
      }
    }
  }
}

}  // namespace foresight
