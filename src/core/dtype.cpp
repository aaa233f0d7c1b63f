#include "core/dtype.hpp"

#include <immintrin.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/q8_kernels.hpp"

namespace foresight {

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "F32";
    case DType::BF16: return "BF16";
    case DType::F16: return "F16";
    case DType::I32: return "I32";
    case DType::I64: return "I64";
    case DType::U8: return "U8";
    case DType::Q8_0: return "Q8_0";
  }
  return "?";
}

std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32:
    case DType::I32: return 4;
    case DType::BF16:
    case DType::F16: return 2;
    case DType::I64: return 8;
    case DType::U8: return 1;
    case DType::Q8_0: return 0;
  }
  return 0;
}

bool parse_dtype(std::string_view name, DType* out) {
  for (DType t : {DType::F32, DType::BF16, DType::F16, DType::I32, DType::I64, DType::U8}) {
    if (name == dtype_name(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

bool parse_matrix_dtype(std::string_view name, DType* out) {
  for (DType t : {DType::F32, DType::BF16, DType::F16, DType::Q8_0}) {
    std::string lower(dtype_name(t));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == lower) {
      *out = t;
      return true;
    }
  }
  return false;
}

float f16_to_f32(uint16_t h) { return _cvtsh_ss(h); }

uint16_t f32_to_f16(float f) { return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT); }

namespace {

// Element i of 16-bit data that may be unaligned: a tensor of a safetensors file starts
// wherever the tensors before it end.
uint16_t load_u16(const void* src, std::size_t i) {
  uint16_t h;
  std::memcpy(&h, static_cast<const char*>(src) + 2 * i, 2);
  return h;
}

// One block of Q8_0: d = max|x| / 127 (as fp16), q = round(x / d); an all-zero block gets d = 0.
void quantise_q8_0_block(const float* x, uint8_t* out) {
  float max = 0;
  for (std::size_t i = 0; i < kQ8Block; ++i) max = std::max(max, std::fabs(x[i]));
  const float d = max / 127;
  const uint16_t h = f32_to_f16(d);
  std::memcpy(out, &h, 2);
  for (std::size_t i = 0; i < kQ8Block; ++i)
    out[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(d == 0 ? 0 : std::round(x[i] / d)));
}

}  // namespace

void convert_to_f32(DType t, const void* src, float* dst, std::size_t n) {
  switch (t) {
    case DType::F32: std::memcpy(dst, src, n * 4); return;
    case DType::BF16:
      for (std::size_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(load_u16(src, i));
      return;
    case DType::F16: {
      std::size_t i = 0;
      for (; i + 8 <= n; i += 8) {
        __m128i h = _mm_loadu_si128(
            reinterpret_cast<const __m128i*>(static_cast<const char*>(src) + 2 * i));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
      }
      for (; i < n; ++i) dst[i] = f16_to_f32(load_u16(src, i));
      return;
    }
    case DType::Q8_0: q8_kernels().dequantise(src, static_cast<int64_t>(n), dst); return;
    default: fail("cannot convert {} tensor data to F32", dtype_name(t));
  }
}

void convert_from_f32(DType t, const float* src, void* dst, std::size_t n) {
  auto* out = static_cast<uint16_t*>(dst);
  switch (t) {
    case DType::F32: std::memcpy(dst, src, n * 4); return;
    case DType::BF16:
      for (std::size_t i = 0; i < n; ++i) out[i] = f32_to_bf16(src[i]);
      return;
    case DType::F16:
      for (std::size_t i = 0; i < n; ++i) out[i] = f32_to_f16(src[i]);
      return;
    case DType::Q8_0:
      for (std::size_t b = 0; b < n / kQ8Block; ++b)
        quantise_q8_0_block(src + b * kQ8Block, static_cast<uint8_t*>(dst) + b * kQ8BlockBytes);
      return;
    default: fail("cannot convert F32 data to {}", dtype_name(t));
  }
}

}  // namespace foresight
