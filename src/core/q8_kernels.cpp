#include "core/q8_kernels.hpp"

#include <immintrin.h>
#include <atomic>

#include "core/error.hpp"

namespace foresight {

namespace {

const Q8Kernels& kernels_of(Isa isa) { return isa == Isa::Avx512 ? kQ8Avx512 : kQ8Avx2; }

std::atomic<Isa> active{cpu_supports(Isa::Avx512) ? Isa::Avx512 : Isa::Avx2};

}  // namespace

void quantise_q8_input(const float* x, int64_t n, float* scales, int8_t* values) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t b = 0; b < n / 32; ++b, x += 32, values += 32) {
    __m256 v[4], m = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      v[k] = _mm256_loadu_ps(x + 8 * k);
      m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[k]));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    const float max = _mm_cvtss_f32(_mm_max_ss(m4, _mm_movehdup_ps(m4)));
    // The scale rounded to fp16 as llama.cpp's input blocks store it, so that both engines
    // multiply the same numbers.
    scales[b] = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtps_ph(_mm_set_ss(max / 127), 0)));
    const __m256 inverse = _mm256_set1_ps(max > 0 ? 127 / max : 0);
    __m256i q[4];  // rounded as MXCSR says: to nearest, ties to even
    for (int k = 0; k < 4; ++k) q[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], inverse));
    // The packs interleave the 128-bit lanes; the permutation puts the 32 bytes back in order.
    const __m256i bytes =
        _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
    _mm256_storeu_si256(
        reinterpret_cast<__m256i*>(values),
        _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
  }
}

std::string_view isa_name(Isa isa) { return isa == Isa::Avx512 ? "AVX-512" : "AVX2"; }

bool cpu_supports(Isa isa) {
  // The check covers the operating system's support too (the saved zmm state); the init is
  // needed when it runs among the static constructors, as the first choice of set does.
  __builtin_cpu_init();
  return isa == Isa::Avx2 ? __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                          : __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

const Q8Kernels& q8_kernels() { return kernels_of(active.load(std::memory_order_relaxed)); }

Isa q8_isa() { return active.load(); }

void set_q8_isa(Isa isa) {
  if (!cpu_supports(isa)) fail("this CPU has no {}", isa_name(isa));
  active.store(isa);
}

}  // namespace foresight
