// The Q8_0 kernels written once over an instruction set's float vector V, which gives:
//   V::F          the vector type, V::kLanes floats
//   V::zero(), V::set1(float), V::load(const float*), V::store(float*, F)
//   V::widen(const int8_t*)  kLanes int8 values as floats
//   V::fmadd(a, b, c) = a * b + c, V::mul(a, b), V::sum(F) (the sum of the lanes)
//   V::add(a, b)
//   V::block_dot(const int8_t* w, const int8_t* x)  the 32 products w[i] x[i] (|w|, |x| <= 127)
//                 summed exactly into kLanes integers, as floats
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

// acc[j] += d_w d_x (q_w . q_x) for block b of the weights and of each of N input rows: the
// integer products summed exactly, then scaled once.
template <class V, int N>
[[gnu::always_inline]] inline void add_block(const uint8_t* block, const Q8Input* x, int64_t b,
                                             typename V::F* acc) {
  const auto* q = reinterpret_cast<const int8_t*>(block + 2);
  const float d = block_scale(block);
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j)
    acc[j] =
        V::fmadd(V::set1(d * x[j].scales[b]), V::block_dot(q, x[j].values + b * kBlock), acc[j]);
}

// N input rows against one weight row. Each input row keeps two accumulators, for even and odd
// blocks (the multiply-add would otherwise chain every block on one register), and its sum is
// the same whatever N.
template <class V, int N>
[[gnu::always_inline]] inline void dot(const uint8_t* row, int64_t cols, const Q8Input* x, float* y,
                                       int64_t y_stride) {
  typename V::F even[N], odd[N];
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) even[j] = odd[j] = V::zero();
  const int64_t blocks = cols / kBlock;
  int64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    add_block<V, N>(row + b * kBlockBytes, x, b, even);
    add_block<V, N>(row + (b + 1) * kBlockBytes, x, b + 1, odd);
  }
  if (b < blocks) add_block<V, N>(row + b * kBlockBytes, x, b, even);
  for (int j = 0; j < N; ++j) y[j * y_stride] = V::sum(V::add(even[j], odd[j]));
}

template <class V>
void dot_rows(int n, const void* row, int64_t cols, const Q8Input* x, float* y, int64_t y_stride) {
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
