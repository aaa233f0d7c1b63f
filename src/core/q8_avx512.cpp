// The Q8_0 kernels for AVX-512: sixteen floats a vector. Built with -mavx512f -mavx512bw
// (CMakeLists.txt) and called only where the CPU has it (q8_kernels.cpp). GCC 12's AVX-512
// intrinsics pass an "undefined" vector that it then warns about (fixed in 13).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "core/q8_kernel_impl.hpp"

namespace foresight {

namespace {

struct Avx512 {
  using F = __m512;
  static constexpr int kLanes = 16;
  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F widen(const int8_t* q) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
  }
  // The bytes widened to 16 bits, multiplied and summed in adjacent pairs into 32 bits.
  static F block_dot(const int8_t* w, const int8_t* x) {
    const __m512i qw =
        _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
    const __m512i qx =
        _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x)));
    return _mm512_cvtepi32_ps(_mm512_madd_epi16(qw, qx));
  }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static float sum(F v) { return _mm512_reduce_add_ps(v); }
};

}  // namespace

const Q8Kernels kQ8Avx512 = q8_kernels_for<Avx512>();

}  // namespace foresight
