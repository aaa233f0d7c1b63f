// Element types of stored tensors and the conversions to and from fp32.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace foresight {

enum class DType { F32, BF16, F16, I32, I64, U8 };

std::string_view dtype_name(DType t);
std::size_t dtype_size(DType t);
bool parse_dtype(std::string_view name, DType* out);  // safetensors names: "F32", "BF16", ...

inline float bf16_to_f32(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Round to nearest even; NaN stays NaN.
inline uint16_t f32_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);

// Converts n elements of type `t` at `src` to fp32.
void convert_to_f32(DType t, const void* src, float* dst, std::size_t n);
// Converts n fp32 values to type `t` (F32, BF16 or F16), rounding to nearest even.
void convert_from_f32(DType t, const float* src, void* dst, std::size_t n);

}  // namespace foresight
