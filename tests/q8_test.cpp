// Q8_0 weights: quantising and dequantising against a scalar reference written here from the
// format's definition, the GEMV and GEMM kernels of every instruction set this CPU has against
// double-precision sums over the dequantised weights, and a tiny model quantised at load
// against its F32 logits.
#include <immintrin.h>
#include <cmath>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "core/dtype.hpp"
#include "core/error.hpp"
#include "core/gemm.hpp"
#include "core/q8_kernels.hpp"
#include "engine/transformer.hpp"
#include "model/random_model.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

using test::pattern_logits;
using test::relative_error;

// The format, spelled out: per block of 32, d = max|x| / 127 stored as fp16, q = round(x / d).
std::vector<uint8_t> reference_quantise(const std::vector<float>& x) {
  std::vector<uint8_t> out;
  for (size_t b = 0; b < x.size() / 32; ++b) {
    float max = 0;
    for (int i = 0; i < 32; ++i) max = std::max(max, std::fabs(x[b * 32 + i]));
    const float d = max / 127;
    const uint16_t h = _cvtss_sh(d, 0);
    out.push_back(uint8_t(h & 0xff));
    out.push_back(uint8_t(h >> 8));
    for (int i = 0; i < 32; ++i) {
      const long q = d == 0 ? 0 : std::lround(x[b * 32 + i] / d);
      out.push_back(static_cast<uint8_t>(static_cast<int8_t>(q)));
    }
  }
  return out;
}

std::vector<double> reference_dequantise(const std::vector<uint8_t>& blocks) {
  std::vector<double> out;
  for (size_t b = 0; b < blocks.size() / 34; ++b) {
    const uint16_t h = uint16_t(blocks[b * 34] | blocks[b * 34 + 1] << 8);
    const double d = _cvtsh_ss(h);
    for (int i = 0; i < 32; ++i) out.push_back(d * static_cast<int8_t>(blocks[b * 34 + 2 + i]));
  }
  return out;
}

// The input side of a product, spelled out: per block of 32, m = max|x|, scale m / 127 rounded
// to fp16, value = x * (127 / m) rounded to nearest, ties to even; dequantised.
std::vector<double> reference_input(const std::vector<float>& x) {
  std::vector<double> out;
  for (size_t b = 0; b < x.size() / 32; ++b) {
    float max = 0;
    for (int i = 0; i < 32; ++i) max = std::max(max, std::fabs(x[b * 32 + i]));
    const float inverse = max > 0 ? 127 / max : 0;
    for (int i = 0; i < 32; ++i)
      out.push_back(double(_cvtsh_ss(_cvtss_sh(max / 127, 0))) *
                    std::nearbyint(x[b * 32 + i] * inverse));
  }
  return out;
}

std::vector<float> normal_floats(std::mt19937& rng, size_t n, float std = 1) {
  std::normal_distribution<float> normal(0, std);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

std::vector<uint8_t> quantise(const std::vector<float>& x) {
  std::vector<uint8_t> q(dtype_bytes(DType::Q8_0, x.size()));
  convert_from_f32(DType::Q8_0, x.data(), q.data(), x.size());
  return q;
}

// Each instruction set this CPU has, made the one Q8_0 products use; the best is restored
// after.
std::vector<Isa> supported_isas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::Avx2, Isa::Avx512})
    if (cpu_supports(isa)) isas.push_back(isa);
  return isas;
}

class Q8 : public ::testing::Test {
 protected:
  void TearDown() override { set_q8_isa(best_); }
  const Isa best_ = q8_isa();
};

TEST_F(Q8, QuantisesAsTheFormatSays) {
  std::mt19937 rng(1);
  std::vector<float> x = normal_floats(rng, 32 * 40, 0.05f);
  std::fill(x.begin(), x.begin() + 32, 0.0f);                 // an all-zero block: d = 0, q = 0
  x[40] = -3;                                                 // a negative maximum: q = -127
  for (int i = 64; i < 96; ++i) x[i] = float(i - 80) + 0.5f;  // d = 1: ties, away from zero
  x[64] = 127;
  x[32 * 5] = 70000;  // beyond fp16, but d = 70000 / 127 is not
  const std::vector<uint8_t> q = quantise(x);
  EXPECT_EQ(q, reference_quantise(x));
  EXPECT_EQ(static_cast<int8_t>(q[34 + 2 + 8]), -127);
  EXPECT_EQ(static_cast<int8_t>(q[2 * 34 + 2 + 83 - 64]), 4);   // 3.5
  EXPECT_EQ(static_cast<int8_t>(q[2 * 34 + 2 + 77 - 64]), -3);  // -2.5
}

TEST_F(Q8, QuantisesInputsAsDocumented) {
  std::mt19937 rng(4);
  std::vector<float> x = normal_floats(rng, 32 * 6);
  std::fill(x.begin(), x.begin() + 32, 0.0f);                 // all zero: scale 0, values 0
  for (int i = 32; i < 64; ++i) x[i] = float(i - 48) + 0.5f;  // -15.5 .. 15.5: ties, to even
  x[32] = -127;
  std::vector<float> scales(6);
  std::vector<int8_t> values(x.size());
  quantise_q8_input(x.data(), int64_t(x.size()), scales.data(), values.data());
  const std::vector<double> want = reference_input(x);
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_EQ(double(scales[i / 32]) * values[i], want[i]) << "value " << i;
  EXPECT_EQ(scales[0], 0.0f);
  EXPECT_EQ(scales[1], 1.0f);
  EXPECT_EQ(values[32], -127);
  EXPECT_EQ(values[32 + 16], 0);   // x = 0.5
  EXPECT_EQ(values[32 + 17], 2);   // 1.5
  EXPECT_EQ(values[32 + 18], 2);   // 2.5
  EXPECT_EQ(values[32 + 12], -4);  // -3.5
}

TEST_F(Q8, DequantisesExactlyInEveryInstructionSet) {
  std::mt19937 rng(2);
  const std::vector<uint8_t> q = quantise(normal_floats(rng, 32 * 33));
  const std::vector<double> want = reference_dequantise(q);
  for (Isa isa : supported_isas()) {
    set_q8_isa(isa);
    std::vector<float> got(want.size());
    convert_to_f32(DType::Q8_0, q.data(), got.data(), got.size());
    for (size_t i = 0; i < got.size(); ++i)  // d * q needs 18 bits: exact in fp32
      ASSERT_EQ(got[i], want[i]) << isa_name(isa) << " value " << i;
  }
}

// matmul and matmul_rowwise against double sums over the dequantised weights and the input
// quantised to Q8_0 the same way (each block's integer dot product is exact), over widths of
// odd numbers of blocks, row counts of no particular multiple and input row counts on both
// sides of kGemvMaxRows.
TEST_F(Q8, ProductsMatchDoubleSumsInEveryInstructionSet) {
  std::mt19937 rng(3);
  for (Isa isa : supported_isas()) {
    set_q8_isa(isa);
    for (int cols : {32, 96, 160, 1024})
      for (int rows : {1, 3, 17, 64})
        for (int n : {1, 2, 3, 4, 5, 9}) {
          SCOPED_TRACE(fmt::format("{} rows {} cols {} n {}", isa_name(isa), rows, cols, n));
          const std::vector<uint8_t> wq = quantise(normal_floats(rng, size_t(rows) * cols));
          const std::vector<double> w = reference_dequantise(wq);
          const std::vector<float> x = normal_floats(rng, size_t(n) * cols);
          const std::vector<double> xq = reference_input(x);
          const Matrix m{DType::Q8_0, rows, cols, wq.data()};
          std::vector<float> y(size_t(n) * rows + 1, -1), y_rowwise(y), y_alone(y);
          matmul(m, x.data(), n, y.data());
          matmul_rowwise(m, x.data(), n, y_rowwise.data());
          for (int j = 0; j < n; ++j) {
            matmul(m, x.data() + j * cols, 1, y_alone.data() + j * rows);
            for (int r = 0; r < rows; ++r) {
              double want = 0, magnitude = 0;
              for (int c = 0; c < cols; ++c) {
                want += w[size_t(r) * cols + c] * xq[size_t(j) * cols + c];
                magnitude += std::fabs(w[size_t(r) * cols + c] * xq[size_t(j) * cols + c]);
              }
              // fp32 sums of `cols / 32` scaled block sums: each rounds within 2^-24 of the
              // magnitudes summed so far (the input's quantisation error is not in them: a
              // kernel that used the unquantised input would be far outside it)
              const double tolerance = 1e-6 * magnitude * std::log2(cols);
              const size_t at = size_t(j) * rows + r;
              EXPECT_NEAR(y[at], want, tolerance) << "row " << r << " input " << j;
              EXPECT_NEAR(y_rowwise[at], want, tolerance) << "row " << r << " input " << j;
              EXPECT_EQ(y_rowwise[at], y_alone[at]) << "row " << r << " input " << j;
            }
          }
          EXPECT_EQ(y[size_t(n) * rows], -1) << "wrote past the output";
        }
  }
}

TEST_F(Q8, UnsupportedInstructionSetIsRefused) {
  if (cpu_supports(Isa::Avx512)) GTEST_SKIP() << "this CPU has every instruction set";
  EXPECT_THROW(set_q8_isa(Isa::Avx512), Error);
}

TEST(Q8Model, LogitsCloseToF32) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{});
  const auto f32 = Model::load(dir / "hf");
  const auto q8 = Model::load(dir / "hf", {.weights = DType::Q8_0});
  EXPECT_EQ(q8->weight_dtype(), DType::Q8_0);
  EXPECT_EQ(q8->layers()[0].w_down.dtype, DType::Q8_0);
  EXPECT_LT(q8->weight_bytes() * 3, f32->weight_bytes());
  // Q8_0 moves a weight by up to d / 2, d = max|block| / 127, about 2.1 sigma / 127 for 32
  // Gaussian weights: an RMS error near 0.5% of sigma, four times BF16's (its 8-bit mantissa:
  // about 0.11%). Tiny random models' logits move by 1.3-1.6% of the largest (BF16: 0.4%);
  // 3% allows twice that, where a kernel that misreads blocks (a scale, the lane order) is off
  // by tens of percent.
  const double error = relative_error(pattern_logits(*q8), pattern_logits(*f32));
  EXPECT_LT(error, 3e-2);
  EXPECT_GT(error, 0);  // it was quantised
  // Batched decoding takes the rows of the GEMV: bit for bit the logits of decoding alone.
  Sequence a(q8->config()), b(q8->config()), alone(q8->config());
  const std::vector<int32_t> prompt = test::pattern_tokens(5, q8->config().vocab);
  for (Sequence* s : {&a, &b, &alone}) forward_chunk(*q8, *s, prompt, LogitsWanted::Last);
  Sequence* both[] = {&a, &b};
  const int32_t next[] = {7, 7};
  const std::vector<float> batched = forward_batch(*q8, both, next);
  const std::vector<float> single =
      forward_chunk(*q8, alone, std::span(next, 1), LogitsWanted::Last);
  EXPECT_EQ(std::vector<float>(batched.begin(), batched.begin() + single.size()), single);
}

TEST(Q8Model, RowsNotInBlocksAreRefused) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{.hidden = 48});
  try {
    Model::load(dir / "hf", {.weights = DType::Q8_0});
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("model.embed_tokens.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("Q8_0"), std::string::npos) << message;
  }
}

TEST(Q8Model, CliWeightsOption) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{});
  const std::string model = " --model " + (dir / "hf").string();
  auto r = test::run_command(test::cli() + " info" + model + " --weights q8_0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Q8_0"), std::string::npos) << r.output;
  r = test::run_command(test::cli() + " generate" + model +
                        " --weights q8_0 --prompt hello --max-new-tokens 4");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = test::run_command(test::cli() + " info" + model + " --weights q4");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--weights: unknown type 'q4'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace foresight
