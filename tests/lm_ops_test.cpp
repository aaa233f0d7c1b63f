// Each operator of the trainer against an independent double-precision reference written
// here from its formula: the forward values, and the backward pass against central finite
// differences of the reference. Every test differentiates L = sum(c * y) for a random c.
#include <immintrin.h>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/simd.hpp"
#include "lm/attention_grad.hpp"
#include "lm/cross_entropy.hpp"
#include "lm/embedding.hpp"
#include "lm/linear.hpp"
#include "lm/parallel_gemm.hpp"
#include "lm/rms_norm_grad.hpp"
#include "lm/rope_table.hpp"
#include "lm/swiglu.hpp"

namespace foresight {
namespace {

using Vec = std::vector<double>;

Vec random_vec(size_t n, uint64_t seed, double scale = 1.0, double mean = 0.0) {
  Rng rng(seed);
  Vec v(n);
  for (double& x : v) x = mean + scale * rng.normal();
  return v;
}

std::vector<float> to_float(const Vec& v) { return {v.begin(), v.end()}; }

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// d f / d x[i] by central differences, for the indices given (all when empty).
Vec numeric_gradient(const std::function<double(const Vec&)>& f, Vec x,
                     const std::vector<size_t>& indices = {}, double h = 1e-5) {
  Vec g(x.size(), 0.0);
  auto one = [&](size_t i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = f(x);
    x[i] = keep - h;
    const double down = f(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * h);
  };
  if (indices.empty())
    for (size_t i = 0; i < x.size(); ++i) one(i);
  else
    for (size_t i : indices) one(i);
  return g;
}

// Largest difference relative to the largest reference value, over the indices compared.
double relative_error(const std::vector<float>& got, const Vec& want,
                      const std::vector<size_t>& indices = {}) {
  double diff = 0, scale = 1e-12;
  auto one = [&](size_t i) {
    diff = std::max(diff, std::fabs(double(got[i]) - want[i]));
    scale = std::max(scale, std::fabs(want[i]));
  };
  if (indices.empty())
    for (size_t i = 0; i < want.size(); ++i) one(i);
  else
    for (size_t i : indices) one(i);
  return diff / scale;
}

std::vector<size_t> sample_indices(size_t n, size_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<size_t> out;
  for (size_t i = 0; i < count; ++i) out.push_back(static_cast<size_t>(rng.next() % n));
  return out;
}

TEST(LmOps, Exp256MatchesStdExp) {
  float worst = 0;
  for (float x = -87.0f; x < 88.5f; x += 0.0137f) {
    alignas(32) float out[8];
    _mm256_store_ps(out, exp256(_mm256_set1_ps(x)));
    worst = std::max(worst, std::fabs(out[0] - std::exp(x)) / std::exp(x));
  }
  EXPECT_LT(worst, 3e-7);
  alignas(32) float out[8];
  _mm256_store_ps(
      out, exp256(_mm256_setr_ps(-INFINITY, -200.0f, 200.0f, INFINITY, NAN, 0.0f, 1.0f, -1.0f)));
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_TRUE(std::isinf(out[2]));
  EXPECT_TRUE(std::isinf(out[3]));
  EXPECT_TRUE(std::isnan(out[4]));
  EXPECT_EQ(out[5], 1.0f);
}

TEST(LmOps, ParallelSgemmMatchesNaiveProductForEveryTransposition) {
  const SingleThreadedBlas blas;
  for (Trans ta : {Trans::No, Trans::Yes}) {
    for (Trans tb : {Trans::No, Trans::Yes}) {
      // tall (split by rows) and wide (split by columns) products, odd sizes
      for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{77, 19, 13}, {5, 83, 9}}) {
        const Vec a = random_vec(m * k, 1), b = random_vec(k * n, 2), c0 = random_vec(m * n, 3);
        const int64_t lda = ta == Trans::No ? k : m, ldb = tb == Trans::No ? n : k;
        std::vector<float> c = to_float(c0);
        const std::vector<float> af = to_float(a), bf = to_float(b);
        parallel_sgemm(ta, tb, m, n, k, 0.5f, af.data(), lda, bf.data(), ldb, 2.0f, c.data(), n);
        Vec want(m * n);
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (int64_t p = 0; p < k; ++p)
              s += (ta == Trans::No ? a[i * lda + p] : a[p * lda + i]) *
                   (tb == Trans::No ? b[p * ldb + j] : b[j * ldb + p]);
            want[i * n + j] = 0.5 * s + 2.0 * c0[i * n + j];
          }
        EXPECT_LT(relative_error(c, want), 1e-6);
      }
    }
  }
}

TEST(LmOps, LinearGradients) {
  const SingleThreadedBlas blas;
  const int64_t n = 37, in = 11, out = 7;
  const Vec x = random_vec(n * in, 1), w = random_vec(out * in, 2), c = random_vec(n * out, 3);
  auto loss = [&](const Vec& xv, const Vec& wv) {
    double l = 0;
    for (int64_t r = 0; r < n; ++r)
      for (int64_t o = 0; o < out; ++o) {
        double y = 0;
        for (int64_t i = 0; i < in; ++i) y += xv[r * in + i] * wv[o * in + i];
        l += c[r * out + o] * y;
      }
    return l;
  };
  const std::vector<float> xf = to_float(x), wf = to_float(w), cf = to_float(c);
  std::vector<float> y(n * out, 1.0f);  // accumulate: y = 1 + x W^T
  linear_forward(xf.data(), n, wf.data(), out, in, y.data(), true);
  Vec y_want(n * out, 1.0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < in; ++i) y_want[r * out + o] += x[r * in + i] * w[o * in + i];
  EXPECT_LT(relative_error(y, y_want), 1e-6);

  std::vector<float> dx(n * in), dw(out * in, 0.0f);
  linear_backward_input(cf.data(), n, wf.data(), out, in, dx.data());
  linear_backward_weight(cf.data(), xf.data(), n, out, in, dw.data());
  EXPECT_LT(relative_error(dx, numeric_gradient([&](const Vec& v) { return loss(v, w); }, x)),
            1e-6);
  EXPECT_LT(relative_error(dw, numeric_gradient([&](const Vec& v) { return loss(x, v); }, w)),
            1e-6);
}

double rms_reference(const Vec& x, const Vec& w, int64_t rows, int64_t n, double eps, Vec& y) {
  y.assign(rows * n, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    double ss = 0;
    for (int64_t i = 0; i < n; ++i) ss += x[r * n + i] * x[r * n + i];
    const double s = 1.0 / std::sqrt(ss / n + eps);
    for (int64_t i = 0; i < n; ++i) y[r * n + i] = x[r * n + i] * s * w[i];
  }
  return 0;
}

TEST(LmOps, RmsNormGradients) {
  const int64_t rows = 13, n = 24;
  const double eps = 1e-6;
  const Vec x = random_vec(rows * n, 1), w = random_vec(n, 2, 0.2, 1.0),
            c = random_vec(rows * n, 3);
  auto loss = [&](const Vec& xv, const Vec& wv) {
    Vec y;
    rms_reference(xv, wv, rows, n, eps, y);
    return dot(c, y);
  };
  const std::vector<float> xf = to_float(x), wf = to_float(w), cf = to_float(c);
  std::vector<float> y(rows * n), scale(rows), recomputed(rows * n);
  rms_norm_forward(xf.data(), wf.data(), rows, n, eps, y.data(), scale.data());
  Vec y_want;
  rms_reference(x, w, rows, n, eps, y_want);
  EXPECT_LT(relative_error(y, y_want), 1e-6);
  rms_norm_recompute(xf.data(), wf.data(), scale.data(), rows, n, recomputed.data());
  EXPECT_EQ(recomputed, y);

  // dx accumulates onto what is there (the residual stream's gradient)
  std::vector<float> dx(rows * n, 0.5f), dw(n, 0.0f);
  rms_norm_backward(xf.data(), wf.data(), scale.data(), cf.data(), rows, n, dx.data(), dw.data());
  Vec dx_want = numeric_gradient([&](const Vec& v) { return loss(v, w); }, x);
  for (double& v : dx_want) v += 0.5;
  EXPECT_LT(relative_error(dx, dx_want), 1e-5);
  EXPECT_LT(relative_error(dw, numeric_gradient([&](const Vec& v) { return loss(x, v); }, w)),
            1e-5);
}

TEST(LmOps, RopeRotationAndItsGradient) {
  ModelConfig config;
  config.head_dim = 16;
  config.rope_theta = 10000.0;
  const RopeTable table(config, 100);
  const int heads = 3, d = 16, half = 8;
  const int64_t position = 97;
  const Vec x = random_vec(heads * d, 1), c = random_vec(heads * d, 2);
  auto rotate = [&](const Vec& v) {
    Vec y(v.size());
    for (int h = 0; h < heads; ++h)
      for (int j = 0; j < half; ++j) {
        const double angle = position * std::pow(10000.0, -2.0 * j / d);
        const double a = v[h * d + j], b = v[h * d + j + half];
        y[h * d + j] = a * std::cos(angle) - b * std::sin(angle);
        y[h * d + j + half] = b * std::cos(angle) + a * std::sin(angle);
      }
    return y;
  };
  std::vector<float> y = to_float(x);
  table.rotate(y.data(), heads, position, false);
  EXPECT_LT(relative_error(y, rotate(x)), 1e-6);
  std::vector<float> g = to_float(c);
  table.rotate(g.data(), heads, position, true);
  EXPECT_LT(relative_error(g, numeric_gradient([&](const Vec& v) { return dot(c, rotate(v)); }, x)),
            1e-6);
  EXPECT_THROW(table.rotate(y.data(), heads, 100, false), Error);
}

TEST(LmOps, SwigluGradients) {
  const int64_t rows = 5, width = 19;  // a vector body and a scalar tail
  const Vec gu = random_vec(rows * 2 * width, 1, 2.0), c = random_vec(rows * width, 2);
  auto forward = [&](const Vec& v) {
    Vec a(rows * width);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < width; ++i) {
        const double g = v[r * 2 * width + i], u = v[r * 2 * width + width + i];
        a[r * width + i] = g / (1 + std::exp(-g)) * u;
      }
    return a;
  };
  const std::vector<float> guf = to_float(gu), cf = to_float(c);
  std::vector<float> act(rows * width), d_gu(rows * 2 * width);
  swiglu_forward(guf.data(), rows, width, act.data());
  EXPECT_LT(relative_error(act, forward(gu)), 1e-6);
  swiglu_backward(guf.data(), cf.data(), rows, width, d_gu.data());
  EXPECT_LT(
      relative_error(d_gu, numeric_gradient([&](const Vec& v) { return dot(c, forward(v)); }, gu)),
      1e-6);
}

TEST(LmOps, CrossEntropyGradient) {
  const int64_t rows = 6, vocab = 261;
  const Vec z = random_vec(rows * vocab, 1, 3.0);
  const std::vector<int32_t> targets = {0, 260, 17, 17, 100, 8};
  auto loss = [&](const Vec& v) {
    double l = 0;
    for (int64_t r = 0; r < rows; ++r) {
      double sum = 0;
      for (int64_t j = 0; j < vocab; ++j) sum += std::exp(v[r * vocab + j]);
      l += std::log(sum) - v[r * vocab + targets[r]];
    }
    return l;
  };
  const std::vector<float> zf = to_float(z);
  std::vector<float> d(rows * vocab);
  const double l = cross_entropy(zf.data(), targets.data(), rows, vocab, 0.25f, d.data());
  EXPECT_NEAR(l, loss(z), 1e-5 * loss(z));
  EXPECT_EQ(cross_entropy(zf.data(), targets.data(), rows, vocab, 0.0f, nullptr), l);
  Vec want = numeric_gradient(loss, z);
  for (double& v : want) v *= 0.25;
  EXPECT_LT(relative_error(d, want), 1e-5);
}

TEST(LmOps, EmbeddingGradientAddsRepeatedTokens) {
  const int64_t vocab = 5, hidden = 3;
  const Vec table = random_vec(vocab * hidden, 1);
  const std::vector<int32_t> ids = {4, 1, 4, 0};
  const std::vector<float> tf = to_float(table);
  std::vector<float> x(ids.size() * hidden);
  embedding_forward(tf.data(), ids.data(), 4, hidden, x.data());
  for (size_t i = 0; i < ids.size(); ++i)
    for (int64_t j = 0; j < hidden; ++j) EXPECT_EQ(x[i * hidden + j], tf[ids[i] * hidden + j]);
  const Vec c = random_vec(ids.size() * hidden, 2);
  const std::vector<float> cf = to_float(c);
  std::vector<float> d(vocab * hidden, 0.0f);
  embedding_backward(ids.data(), cf.data(), 4, hidden, d.data());
  auto loss = [&](const Vec& t) {
    double l = 0;
    for (size_t i = 0; i < ids.size(); ++i)
      for (int64_t j = 0; j < hidden; ++j) l += c[i * hidden + j] * t[ids[i] * hidden + j];
    return l;
  };
  EXPECT_LT(relative_error(d, numeric_gradient(loss, table)), 1e-6);
}

// Causal GQA attention over packed sequences, in double: q [rows, H, d], k and v [rows, Hk, d].
// Row j's key is hidden from the queries of its sequence at positions until[j] and later
// (until empty: none hidden).
Vec attention_reference(const Vec& q, const Vec& k, const Vec& v,
                        const std::vector<int64_t>& offsets, int heads, int kv_heads, int d,
                        const std::vector<int32_t>& until) {
  const int64_t rows = offsets.back();
  Vec out(rows * heads * d, 0.0);
  const int group = heads / kv_heads;
  for (size_t s = 0; s + 1 < offsets.size(); ++s)
    for (int64_t t = offsets[s]; t < offsets[s + 1]; ++t)
      for (int h = 0; h < heads; ++h) {
        const int hk = h / group;
        std::vector<int64_t> seen;
        for (int64_t j = offsets[s]; j <= t; ++j)
          if (until.empty() || until[j] > t - offsets[s]) seen.push_back(j);
        std::vector<double> p;
        double max = -1e300;
        for (int64_t j : seen) {
          double sc = 0;
          for (int e = 0; e < d; ++e)
            sc += q[(t * heads + h) * d + e] * k[(j * kv_heads + hk) * d + e];
          p.push_back(sc / std::sqrt(double(d)));
          max = std::max(max, p.back());
        }
        double sum = 0;
        for (double& x : p) sum += (x = std::exp(x - max));
        for (size_t i = 0; i < seen.size(); ++i)
          for (int e = 0; e < d; ++e)
            out[(t * heads + h) * d + e] += p[i] / sum * v[(seen[i] * kv_heads + hk) * d + e];
      }
  return out;
}

// The kernels against the reference, and their gradients against finite differences, with
// keys hidden as `until` says (empty: none), over three sequences: one crossing the 64-row
// tile, one of a single token, one short.
void check_attention(const std::vector<int32_t>& until) {
  const SingleThreadedBlas blas;
  const int heads = 4, kv_heads = 2, d = 8;
  const std::vector<int64_t> offsets = {0, 70, 71, 80};
  const int64_t rows = offsets.back();
  const int32_t* limits = until.empty() ? nullptr : until.data();
  const Vec q = random_vec(rows * heads * d, 1), k = random_vec(rows * kv_heads * d, 2),
            v = random_vec(rows * kv_heads * d, 3), c = random_vec(rows * heads * d, 4);
  // The kernel reads strided rows: q, k and v interleaved in one buffer with a gap, as the
  // network stores them.
  const int64_t q_w = heads * d, kv_w = kv_heads * d, stride = q_w + 2 * kv_w + 3;
  std::vector<float> packed(rows * stride, NAN);
  for (int64_t t = 0; t < rows; ++t) {
    for (int64_t e = 0; e < q_w; ++e) packed[t * stride + e] = float(q[t * q_w + e]);
    for (int64_t e = 0; e < kv_w; ++e) {
      packed[t * stride + q_w + e] = float(k[t * kv_w + e]);
      packed[t * stride + q_w + kv_w + e] = float(v[t * kv_w + e]);
    }
  }
  const AttentionShape shape{heads, kv_heads, d};
  const StridedRows<const float> qs{packed.data(), stride}, ks{packed.data() + q_w, stride},
      vs{packed.data() + q_w + kv_w, stride};
  std::vector<float> out(rows * q_w), lse(rows * heads);
  attention_forward(shape, offsets, limits, qs, ks, vs, out.data(), lse.data());
  EXPECT_LT(relative_error(out, attention_reference(q, k, v, offsets, heads, kv_heads, d, until)),
            1e-5);

  std::vector<float> grads(rows * stride, NAN);
  const std::vector<float> cf = to_float(c);
  attention_backward(shape, offsets, limits, qs, ks, vs, out.data(), lse.data(), cf.data(),
                     {grads.data(), stride}, {grads.data() + q_w, stride},
                     {grads.data() + q_w + kv_w, stride});
  auto unpack = [&](int64_t begin, int64_t width) {
    std::vector<float> g(rows * width);
    for (int64_t t = 0; t < rows; ++t)
      for (int64_t e = 0; e < width; ++e) g[t * width + e] = grads[t * stride + begin + e];
    return g;
  };
  auto loss = [&](const Vec& qv, const Vec& kv, const Vec& vv) {
    return dot(c, attention_reference(qv, kv, vv, offsets, heads, kv_heads, d, until));
  };
  // a sample of every input's elements (the reference is quadratic in the sequence length)
  const auto iq = sample_indices(q.size(), 60, 5), ik = sample_indices(k.size(), 60, 6),
             iv = sample_indices(v.size(), 60, 7);
  EXPECT_LT(
      relative_error(unpack(0, q_w),
                     numeric_gradient([&](const Vec& x) { return loss(x, k, v); }, q, iq), iq),
      1e-4);
  EXPECT_LT(
      relative_error(unpack(q_w, kv_w),
                     numeric_gradient([&](const Vec& x) { return loss(q, x, v); }, k, ik), ik),
      1e-4);
  EXPECT_LT(
      relative_error(unpack(q_w + kv_w, kv_w),
                     numeric_gradient([&](const Vec& x) { return loss(q, k, x); }, v, iv), iv),
      1e-4);
}

TEST(LmOps, AttentionForwardAndGradients) { check_attention({}); }

// An evicting cache's view: in the first sequence some keys are hidden from a later position
// on (never from their own query), in the last one a key is hidden at once after itself.
TEST(LmOps, AttentionWithHiddenKeysMatchesTheReference) {
  std::vector<int32_t> until(80, INT32_MAX);
  for (int32_t j = 0; j < 70; j += 3) until[j] = j + 1 + (j * 7) % 40;
  until[72] = 2;  // position 1 of the third sequence (rows 71..79)
  check_attention(until);
}

}  // namespace
}  // namespace foresight
