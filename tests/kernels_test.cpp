// The attention kernels against plain double-precision loops, over head sizes that exercise
// every column block and tail, and key counts that are and are not multiples of four.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels.hpp"

namespace foresight {
namespace {

std::vector<float> normal_floats(std::mt19937& rng, size_t n) {
  std::normal_distribution<float> normal;
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

TEST(Kernels, DotRowsMatchesPlainSums) {
  std::mt19937 rng(7);
  for (int n : {8, 13, 24, 48, 64, 128})
    for (int count : {0, 1, 3, 4, 7, 33}) {
      const std::vector<float> q = normal_floats(rng, size_t(n));
      const std::vector<float> rows = normal_floats(rng, size_t(count) * n);
      std::vector<float> out(size_t(count) + 1, -1.0f);
      dot_rows(q.data(), 1, rows.data(), count, n, 0.5f, out.data(), count);
      for (int j = 0; j < count; ++j) {
        double want = 0;
        for (int i = 0; i < n; ++i) want += double(q[i]) * rows[size_t(j) * n + i];
        EXPECT_NEAR(out[j], 0.5 * want, 1e-5 * n)
            << "n " << n << " count " << count << " row " << j;
      }
      EXPECT_EQ(out[size_t(count)], -1.0f) << "wrote past the last row";
    }
}

// Decoding sees one more key each step: a key's score must not change with it, or a run's
// numbers would depend on where the cache happened to end.
TEST(Kernels, DotRowsScoresAKeyTheSameWhateverTheCount) {
  std::mt19937 rng(9);
  for (int n : {8, 13, 64}) {
    const std::vector<float> q = normal_floats(rng, size_t(n));
    const std::vector<float> rows = normal_floats(rng, size_t(9) * n);
    std::vector<float> all(9);
    dot_rows(q.data(), 1, rows.data(), 9, n, 0.25f, all.data(), 9);
    for (int count = 1; count <= 9; ++count) {
      auto some = std::vector<float>(size_t(count));
      dot_rows(q.data(), 1, rows.data(), count, n, 0.25f, some.data(), count);
      for (int j = 0; j < count; ++j) EXPECT_EQ(some[j], all[j]) << "n " << n << " count " << count;
    }
  }
}

TEST(Kernels, WeightedRowsMatchesPlainSums) {
  std::mt19937 rng(8);
  for (int n : {8, 13, 24, 48, 64, 128})
    for (int count : {0, 1, 3, 4, 7, 33}) {
      const std::vector<float> w = normal_floats(rng, size_t(count));
      const std::vector<float> rows = normal_floats(rng, size_t(count) * n);
      std::vector<float> out(size_t(n) + 1, -1.0f);
      weighted_rows(w.data(), count, 1, rows.data(), count, n, out.data());
      for (int i = 0; i < n; ++i) {
        double want = 0;
        for (int j = 0; j < count; ++j) want += double(w[j]) * rows[size_t(j) * n + i];
        EXPECT_NEAR(out[i], want, 1e-5 * (count + 1)) << "n " << n << " count " << count;
      }
      EXPECT_EQ(out[size_t(n)], -1.0f) << "wrote past the last column";
    }
}

// The vectorised exp must give std::exp's bits, or softmax and SwiGLU would change every
// output: every 61st float of each sign up to |x| < 88 (a stride prime to the mantissa's
// period), the edges of the fast path and what lies beyond it.
TEST(Kernels, ExpMatchesTheLibraryBitForBit) {
  std::vector<float> xs;
  for (uint32_t bits = 0; bits < 0x42b00000u; bits += 61)
    for (const uint32_t sign : {0u, 0x80000000u}) {
      float x;
      const uint32_t b = bits | sign;
      std::memcpy(&x, &b, sizeof x);
      xs.push_back(x);
    }
  for (const float x : {87.99999f,
                        88.0f,
                        88.5f,
                        88.72f,
                        88.73f,
                        100.0f,
                        -87.99999f,
                        -88.0f,
                        -100.0f,
                        -103.97f,
                        -103.98f,
                        -104.0f,
                        -150.0f,
                        -1e30f,
                        1e30f,
                        std::numeric_limits<float>::infinity(),
                        -std::numeric_limits<float>::infinity(),
                        std::numeric_limits<float>::quiet_NaN(),
                        std::numeric_limits<float>::denorm_min(),
                        -0.0f})
    xs.push_back(x);
  std::vector<float> got = xs;
  exp_inplace(got.data(), int64_t(got.size()));
  int64_t wrong = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const float want = std::exp(xs[i]);
    uint32_t a, b;
    std::memcpy(&a, &got[i], sizeof a);
    std::memcpy(&b, &want, sizeof b);
    if (a != b && !(std::isnan(want) && std::isnan(got[i])) && wrong++ < 5)
      ADD_FAILURE() << "exp(" << xs[i] << ") = " << got[i] << ", std::exp gives " << want;
  }
  EXPECT_EQ(wrong, 0) << "of " << xs.size();
}

// A GQA group's query heads go through the kernels together; each must get exactly the numbers
// it gets alone, or a model's outputs would depend on its group size.
TEST(Kernels, AGroupOfQueriesScoresEachAsAlone) {
  std::mt19937 rng(10);
  for (int n : {8, 13, 48, 64, 128})
    for (int queries : {2, 3, 4}) {
      const int count = 37;
      const std::vector<float> q = normal_floats(rng, size_t(queries) * n);
      const std::vector<float> rows = normal_floats(rng, size_t(count) * n);
      const std::vector<float> w = normal_floats(rng, size_t(queries) * count);
      std::vector<float> scores(size_t(queries) * count), sums(size_t(queries) * n);
      dot_rows(q.data(), queries, rows.data(), count, n, 0.3f, scores.data(), count);
      weighted_rows(w.data(), count, queries, rows.data(), count, n, sums.data());
      for (int g = 0; g < queries; ++g) {
        std::vector<float> score(static_cast<size_t>(count)), sum(static_cast<size_t>(n));
        dot_rows(q.data() + size_t(g) * n, 1, rows.data(), count, n, 0.3f, score.data(), count);
        weighted_rows(w.data() + size_t(g) * count, count, 1, rows.data(), count, n, sum.data());
        EXPECT_EQ(std::vector<float>(scores.begin() + g * count, scores.begin() + (g + 1) * count),
                  score)
            << "n " << n << " queries " << queries << " query " << g;
        EXPECT_EQ(std::vector<float>(sums.begin() + g * n, sums.begin() + (g + 1) * n), sum)
            << "n " << n << " queries " << queries << " query " << g;
      }
      // and their probabilities: the group's softmax equals each row's
      std::vector<float> group_p = scores;
      softmax_rows(group_p.data(), queries, count, count);
      for (int g = 0; g < queries; ++g) {
        std::vector<float> row(scores.begin() + g * count, scores.begin() + (g + 1) * count);
        softmax(row.data(), count);
        EXPECT_EQ(
            std::vector<float>(group_p.begin() + g * count, group_p.begin() + (g + 1) * count), row)
            << "softmax, queries " << queries << " query " << g;
      }
    }
}

}  // namespace
}  // namespace foresight
