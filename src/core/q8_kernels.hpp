// The Q8_0 kernels (src/core/dtype.hpp has the format), one set per instruction set, chosen at
// run time: AVX-512 (with its byte and word instructions) where the CPU has it, else AVX2, the
// build's floor (x86-64-v3). The code is written once, in q8_kernel_impl.hpp, over each set's
// vector type; q8_avx2.cpp and q8_avx512.cpp (built with -mavx512f) instantiate it.
#pragma once
#include <cstdint>
#include <string_view>

namespace foresight {

enum class Isa { Avx2, Avx512 };

// One input row of a Q8_0 product, quantised per block of 32 as the weights are, its scales
// widened to fp32: block b holds values[32 b ...] * scales[b].
struct Q8Input {
  const float* scales;
  const int8_t* values;
};

struct Q8Kernels {
  // y[j * y_stride] = the dot product of one Q8_0 row of `cols` values (a multiple of 32) with
  // input row x[j], j < n (1 to 4): each block's product is a sum of integer products, scaled
  // once (llama.cpp's choice). A row's sum is the same whatever n (matmul_rowwise's rows must
  // match a row multiplied alone).
  void (*dot)(int n, const void* row, int64_t cols, const Q8Input* x, float* y, int64_t y_stride);
  // out[i] = value i of the n (a multiple of 32) Q8_0 values at `blocks`.
  void (*dequantise)(const void* blocks, int64_t n, float* out);
};

// The input side of every Q8_0 product, as llama.cpp quantises its inputs: the n values of x
// (a multiple of 32) per block of 32, scale = m / 127 rounded to fp16 and value i = nearest
// integer to x[i] * (127 / m), ties to even, where m is the block's largest |x| (an all-zero
// block: scale 0, values 0; m beyond 8.3e6, beyond fp16, gives an infinite scale). AVX2, for
// every set.
void quantise_q8_input(const float* x, int64_t n, float* scales, int8_t* values);

extern const Q8Kernels kQ8Avx2, kQ8Avx512;

std::string_view isa_name(Isa isa);
bool cpu_supports(Isa isa);
// The set in use: the best the CPU supports unless set_q8_isa chose another.
const Q8Kernels& q8_kernels();
Isa q8_isa();
// Makes every Q8_0 product use `isa` (tests and benchmarks compare them); Error if the CPU
// lacks it.
void set_q8_isa(Isa isa);

}  // namespace foresight
