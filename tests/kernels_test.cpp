// The attention kernels against plain double-precision loops, over head sizes that exercise
// every column block and tail, and key counts that are and are not multiples of four.
#include <gtest/gtest.h>

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
                  score) << "n " << n << " queries " << queries << " query " << g;
        EXPECT_EQ(std::vector<float>(sums.begin() + g * n, sums.begin() + (g + 1) * n), sum)
            << "n " << n << " queries " << queries << " query " << g;
      }
    }
}

}  // namespace
}  // namespace foresight
