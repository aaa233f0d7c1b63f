// The Q8_0 kernels for AVX2 and FMA: eight floats a vector.
#include "core/q8_kernel_impl.hpp"

namespace foresight {

namespace {

struct Avx2 {
  using F = __m256;
  static constexpr int kLanes = 8;
  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F widen(const int8_t* q) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(q));
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
  }
  // maddubs multiplies unsigned by signed bytes: |w| times x with w's sign, adjacent pairs
  // summed into 16-bit lanes (at most 2 * 127 * 127), then pairs of those into 32 bits.
  static F block_dot(const int8_t* w, const int8_t* x) {
    const __m256i qw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(qw, qw), _mm256_sign_epi8(qx, qw));
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static float sum(F v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
};

}  // namespace

const Q8Kernels kQ8Avx2 = q8_kernels_for<Avx2>();

}  // namespace foresight
