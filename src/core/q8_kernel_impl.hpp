// The Q8_0 kernels written once over an instruction set's float vector V, which gives:
//   V::F          the vector type, V::kLanes floats
//   V::zero(), V::set1(float), V::load(const float*), V::store(float*, F)
//   V::widen(const int8_t*)  kLanes int8 values as floats
//   V::fmadd(a, b, c) = a * b + c, V::mul(a, b), V::sum(F) (the sum of the lanes)
//   V::add(a, b)
// Included by q8_avx2.cpp and q8_avx512.cpp only, each built for its instruction set. So that
// the linker never keeps one set's copy of a function for the other's callers, everything here
// has internal linkage, and nothing is included whose inline functions other files share.
#pragma once
#include <immintrin.h>
#include <cstdint>
#include <cstring>

#include "core/q8_kernels.hpp"

namespace foresight {
namespace {

constexpr int64_t kBlock = 32, kBlockBytes = 34;

inline float block_scale(const uint8_t* block) {
  uint16_t h;
  std::memcpy(&h, block, 2);
  return _cvtsh_ss(h);
}

// acc[j] += d * (q . the block's 32 values of input row j), for N input rows `cols` apart.
template <class V, int N>
[[gnu::always_inline]] inline void add_block(const uint8_t* block, const float* x, int64_t cols,
                                             typename V::F* acc) {
  using F = typename V::F;
  constexpr int kVectors = kBlock / V::kLanes;
  const auto* q = reinterpret_cast<const int8_t*>(block + 2);
  F w[kVectors];
#pragma GCC unroll 4
  for (int v = 0; v < kVectors; ++v) w[v] = V::widen(q + v * V::kLanes);
  const F d = V::set1(block_scale(block));
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) {
    F s = V::mul(w[0], V::load(x + j * cols));
#pragma GCC unroll 4
    for (int v = 1; v < kVectors; ++v) s = V::fmadd(w[v], V::load(x + j * cols + v * V::kLanes), s);
    acc[j] = V::fmadd(d, s, acc[j]);
  }
}

// N input rows against one weight row. Each input row keeps two accumulators, for even and odd
// blocks (the scale's multiply-add would otherwise chain every block on one register), and its
// sum is the same whatever N.
template <class V, int N>
[[gnu::always_inline]] inline void dot(const uint8_t* row, int64_t cols, const float* x, float* y,
                                       int64_t y_stride) {
  typename V::F even[N], odd[N];
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) even[j] = odd[j] = V::zero();
  const int64_t blocks = cols / kBlock;
  int64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    add_block<V, N>(row + b * kBlockBytes, x + b * kBlock, cols, even);
    add_block<V, N>(row + (b + 1) * kBlockBytes, x + (b + 1) * kBlock, cols, odd);
  }
  if (b < blocks) add_block<V, N>(row + b * kBlockBytes, x + b * kBlock, cols, even);
  for (int j = 0; j < N; ++j) y[j * y_stride] = V::sum(V::add(even[j], odd[j]));
}

template <class V>
void dot_rows(int n, const void* row, int64_t cols, const float* x, float* y, int64_t y_stride) {
  const auto* r = static_cast<const uint8_t*>(row);
  switch (n) {
    case 1: return dot<V, 1>(r, cols, x, y, y_stride);
    case 2: return dot<V, 2>(r, cols, x, y, y_stride);
    case 3: return dot<V, 3>(r, cols, x, y, y_stride);
    default: return dot<V, 4>(r, cols, x, y, y_stride);
  }
}

template <class V>
void dequantise(const void* blocks, int64_t n, float* out) {
  const auto* p = static_cast<const uint8_t*>(blocks);
  for (int64_t b = 0; b < n / kBlock; ++b, p += kBlockBytes, out += kBlock) {
    const typename V::F d = V::set1(block_scale(p));
    const auto* q = reinterpret_cast<const int8_t*>(p + 2);
    for (int v = 0; v < kBlock / V::kLanes; ++v)
      V::store(out + v * V::kLanes, V::mul(d, V::widen(q + v * V::kLanes)));
  }
}

template <class V>
constexpr Q8Kernels q8_kernels_for() {
  return {dot_rows<V>, dequantise<V>};
}

}  // namespace
}  // namespace foresight
