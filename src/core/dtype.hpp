// Element types of stored tensors and the conversions to and from fp32.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace foresight {

// Q8_0 is llama.cpp's 8-bit type: a row is blocks of 32 values, each block an fp16 scale d
// followed by 32 int8 q (34 bytes), value = d * q. It exists only in GGUF files and in memory.
enum class DType { F32, BF16, F16, I32, I64, U8, Q8_0 };

constexpr std::size_t kQ8Block = 32, kQ8BlockBytes = 34;

std::string_view dtype_name(DType t);
// Bytes of one element; Q8_0's elements have none of their own (dtype_bytes).
std::size_t dtype_size(DType t);
// Bytes of n elements, for Q8_0 n a multiple of kQ8Block.
inline std::size_t dtype_bytes(DType t, std::size_t n) {
  return t == DType::Q8_0 ? n / kQ8Block * kQ8BlockBytes : n * dtype_size(t);
}
bool parse_dtype(std::string_view name, DType* out);  // safetensors names: "F32", "BF16", ...
// A type of matrices by its name on command lines: "f32", "bf16", "f16" or "q8_0".
bool parse_matrix_dtype(std::string_view name, DType* out);

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

// Converts n elements of type `t` at `src` to fp32 (Q8_0: n a multiple of kQ8Block).
void convert_to_f32(DType t, const void* src, float* dst, std::size_t n);
// Converts n fp32 values to type `t`: F32, BF16 or F16 rounding to nearest even; Q8_0 (n a
// multiple of kQ8Block) quantising each block with d = max|x| / 127, q = round(x / d).
void convert_from_f32(DType t, const float* src, void* dst, std::size_t n);

}  // namespace foresight
