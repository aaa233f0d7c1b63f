// The judge network: its hand-written backward pass against finite differences, its features,
// and its file format with every way a file can be wrong.
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/safetensors.hpp"
#include "judge/features.hpp"
#include "judge/judge_file.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

const JudgeShape kShape{2, 2, 4, 3, {}};  // F = 2 * 4 + 8 * 3 = 32

std::vector<float> normals(size_t n, uint64_t seed, double scale) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = float(scale * rng.normal());
  return v;
}

// The paper's width and two others (--hidden).
class JudgeWidth : public ::testing::TestWithParam<int> {
 protected:
  JudgeShape shape() const {
    JudgeShape s = kShape;
    s.hidden = GetParam();
    return s;
  }
};
INSTANTIATE_TEST_SUITE_P(Widths, JudgeWidth, ::testing::Values(kJudgeHidden, 5, 40));

TEST_P(JudgeWidth, BackwardMatchesCentralFiniteDifferences) {
  const JudgeShape kShape = shape();
  const int H = kShape.hidden;
  // Weights large enough that GELU is far from linear over the batch.
  Judge judge = Judge::random(kShape, 3);
  for (float& p : judge.parameters()) p *= 30;  // std 0.6
  const int n = 6, F = kShape.features();
  const auto x = normals(size_t(n) * F, 5, 1.0), dphi = normals(n, 7, 1.0);
  // loss = sum_i dphi[i] * phi[i] for layer 1, KV head 1.
  auto loss = [&] {
    std::vector<float> out(n);
    judge_forward(judge.head(1, 1), x.data(), n, out.data());
    double total = 0;
    for (int i = 0; i < n; ++i) total += double(dphi[i]) * out[i];
    return total;
  };
  std::vector<float> phi(n), pre(size_t(n) * H);
  judge_forward(judge.head(1, 1), x.data(), n, phi.data(), pre.data());
  std::vector<float> grad(judge.parameters().size(), 0.0f);
  judge_backward(judge.head(1, 1), x.data(), pre.data(), dphi.data(), n,
                 Judge::head_in(grad, kShape, 1, 1));

  const JudgeHead h = judge.head(1, 1);
  const float* base = judge.parameters().data();
  std::vector<char> in_head(grad.size(), 0);  // the parameters of (layer 1, head 1)
  auto mark = [&](const float* p, int count) {
    for (int i = 0; i < count; ++i) in_head[size_t(p - base) + i] = 1;
  };
  mark(h.w1, F * H), mark(h.b1, H), mark(h.w2, H), mark(h.b2, 1);
  int checked = 0;
  for (size_t k = 0; k < grad.size(); ++k) {
    if (!in_head[k]) {
      ASSERT_EQ(grad[k], 0.0f) << "gradient outside the head at " << k;
      continue;
    }
    float& p = judge.parameters()[k];
    const float saved = p, eps = 1e-2f;
    p = saved + eps;
    const double up = loss();
    p = saved - eps;
    const double down = loss();
    p = saved;
    const double numeric = (up - down) / (2.0 * eps);
    ASSERT_NEAR(grad[k], numeric, 2e-3 + 1e-2 * std::abs(numeric)) << "parameter " << k;
    ++checked;
  }
  EXPECT_EQ(checked, F * H + 2 * H + 1);
}

TEST_P(JudgeWidth, ForwardIsTheFormulaAndInitIsSeeded) {
  const JudgeShape kShape = shape();
  const int H = kShape.hidden;
  Judge judge = Judge::random(kShape, 11);
  EXPECT_EQ(judge.parameters().size(), size_t(kShape.parameters()));
  EXPECT_EQ(Judge::random(kShape, 11).parameters()[100], judge.parameters()[100]);
  EXPECT_NE(Judge::random(kShape, 12).parameters()[100], judge.parameters()[100]);
  double sq = 0;
  for (float p : judge.parameters()) sq += double(p) * p;
  EXPECT_NEAR(std::sqrt(sq / double(judge.parameters().size())), 0.02, 0.002);

  for (float& p : judge.parameters()) p *= 20;
  const int F = kShape.features();
  const auto x = normals(size_t(F), 2, 1.0);
  float phi = 0;
  judge_forward(judge.head(0, 1), x.data(), 1, &phi);
  const JudgeHead h = judge.head(0, 1);
  double expected = h.b2[0];
  for (int k = 0; k < H; ++k) {
    double z = h.b1[k];
    for (int f = 0; f < F; ++f) z += double(x[f]) * h.w1[f * H + k];
    expected += 0.5 * z * (1 + std::erf(z / std::sqrt(2.0))) * h.w2[k];
  }
  EXPECT_NEAR(phi, expected, 1e-4 * (1 + std::abs(expected)));
}

TEST(Judge, ScaledScoresAreTheScoresTimesTheFactorOnEveryHead) {
  Judge judge = Judge::random(kShape, 5);
  for (float& p : judge.parameters()) p *= 20;
  Judge scaled = judge;
  scaled.scale_scores(7.5f);
  const int F = kShape.features(), n = 6;
  const auto x = normals(size_t(n * F), 4, 1.0);
  for (int l = 0; l < kShape.n_layers; ++l)
    for (int h = 0; h < kShape.n_kv_heads; ++h) {
      std::vector<float> phi(n), phi_scaled(n);
      judge_forward(judge.head(l, h), x.data(), n, phi.data());
      judge_forward(scaled.head(l, h), x.data(), n, phi_scaled.data());
      for (int i = 0; i < n; ++i)
        EXPECT_NEAR(phi_scaled[i], 7.5 * phi[i], 1e-5 * (1 + std::abs(phi_scaled[i])))
            << l << " " << h << " " << i;
    }
}

TEST(JudgeFeatures, KeyValueThenEightStatisticsPerQueryHead) {
  KvCache cache(1, 1, 2, /*stat_slots=*/2);
  HeadCache& head = cache.head(0, 0);
  for (int e = 0; e < 3; ++e) {
    const float key[2] = {float(e), 10.0f + e}, value[2] = {20.0f + e, 30.0f + e};
    head.append(key, value, e);
    for (int slot = 0; slot < 2; ++slot)
      for (int s = 0; s < kNumStats; ++s)
        head.stats()[head.stats_stride() * e + kNumStats * slot + s] =
            100.0f * e + 10.0f * slot + s;
  }
  EvictionView v;
  v.n_kv_heads = 1, v.head_dim = 2, v.group = 2, v.first = 1, v.n = 2, v.cache = &cache;
  const int F = 2 * 2 + 8 * 2;
  std::vector<float> x(size_t(2) * F);
  judge_features(JudgeFeatureSet::spec(), v, 0, x.data());
  for (int c = 0; c < 2; ++c) {
    const int e = c + 1;  // candidates start after the first entry
    const float* row = x.data() + c * F;
    EXPECT_EQ(row[0], float(e));
    EXPECT_EQ(row[1], 10.0f + e);
    EXPECT_EQ(row[2], 20.0f + e);
    EXPECT_EQ(row[3], 30.0f + e);
    for (int slot = 0; slot < 2; ++slot)
      for (int s = 0; s < kJudgeStats; ++s)  // channel 8 (last query) is not a feature
        EXPECT_EQ(row[4 + 8 * slot + s], 100.0f * e + 10.0f * slot + s)
            << c << " " << slot << " " << s;
  }
  EXPECT_EQ(kJudgeStatMask, 0xffu);
}

TEST(JudgeFeatures, LogStatisticsPositionAndUnrotatedKeys) {
  ModelConfig config;
  config.head_dim = 4;
  const Rope rope(config);
  KvCache cache(1, 1, 4, /*stat_slots=*/1);
  HeadCache& head = cache.head(0, 0);
  const std::vector<int32_t> positions = {0, 5, 9, 40};  // a compacted cache keeps originals
  std::vector<std::vector<float>> plain;
  for (size_t e = 0; e < positions.size(); ++e) {
    std::vector<float> key = {1.0f + e, -2.0f, 0.5f * e, 3.0f};
    plain.push_back(key);
    rope.apply(key.data(), 1, positions[e]);  // the cache stores keys post-RoPE
    const float value[4] = {7, 7, 7, 7};
    head.append(key.data(), value, positions[e]);
    for (int s = 0; s < kNumStats; ++s)
      head.stats()[head.stats_stride() * e + s] = std::pow(10.0f, -float(s));
  }
  EvictionView v;
  v.n_kv_heads = 1, v.head_dim = 4, v.group = 1, v.first = 1, v.n = 2, v.cache = &cache;
  v.prompt_length = 6, v.rope = &rope;  // end_position() = 41, the last entry's + 1
  const JudgeFeatureSet set = JudgeFeatureSet::standard();
  const int F = set.count(4, 1);
  ASSERT_EQ(F, 2 * 4 + 8 + 3);
  std::vector<float> x(size_t(2) * F);
  judge_features(set, v, 0, x.data());
  for (int c = 0; c < 2; ++c) {
    const int e = c + 1;
    const float* row = x.data() + c * F;
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(row[j], plain[e][j], 1e-5) << "key " << c << " " << j;
    for (int s = 0; s < kJudgeStats; ++s)
      EXPECT_NEAR(row[8 + s], std::log(std::pow(10.0, -s) + 1e-6), 1e-4) << s;
    EXPECT_NEAR(row[16], std::log1p(41.0 - positions[e]), 1e-5);
    EXPECT_EQ(row[17], positions[e] < 6 ? 1.0f : 0.0f);
    EXPECT_NEAR(row[18], positions[e] / 41.0, 1e-6);
  }
  v.rope = nullptr;
  EXPECT_THROW(judge_features(set, v, 0, x.data()), Error);  // cannot undo the rotation
}

// Candidates 1 and 2 of five entries (the sink before, two newer after): each one's most similar
// newer and older unrotated key, against cosines of the keys as they were before RoPE.
TEST(JudgeFeatures, KeySimilarityFindsTheClosestNewerAndOlderKey) {
  ModelConfig config;
  config.head_dim = 4;
  const Rope rope(config);
  KvCache cache(1, 1, 4, /*stat_slots=*/1);
  HeadCache& head = cache.head(0, 0);
  const std::vector<int32_t> positions = {0, 3, 8, 20, 31};
  const std::vector<std::vector<float>> plain = {
      {1, 0, 0, 0}, {1, 1, 0, 0}, {0, 0, 2, 1}, {2, 2.2f, 0.1f, 0}, {0, -1, 2, 1.5f}};
  for (size_t e = 0; e < positions.size(); ++e) {
    std::vector<float> key = plain[e];
    rope.apply(key.data(), 1, positions[e]);
    const float value[4] = {};
    head.append(key.data(), value, positions[e]);
  }
  EvictionView v;
  v.n_kv_heads = 1, v.head_dim = 4, v.group = 1, v.first = 1, v.n = 2, v.cache = &cache;
  v.rope = &rope;
  const JudgeFeatureSet set =
      JudgeFeatureSet::parse("unrotated-key,value,logstats8,position,key-similarity", "--features");
  const int F = set.count(4, 1);
  ASSERT_EQ(F, 2 * 4 + 8 + 3 + 2);
  std::vector<float> x(size_t(2) * F);
  judge_features(set, v, 0, x.data());
  const auto cosine = [&](size_t a, size_t b) {
    double ab = 0, aa = 0, bb = 0;
    for (int j = 0; j < 4; ++j)
      ab += plain[a][j] * plain[b][j], aa += plain[a][j] * plain[a][j],
          bb += plain[b][j] * plain[b][j];
    return ab / std::sqrt(aa * bb);
  };
  for (size_t e = 1; e <= 2; ++e) {
    double newer = -1, older = -1;
    for (size_t o = 0; o < positions.size(); ++o)
      if (o != e) (o > e ? newer : older) = std::max(o > e ? newer : older, cosine(e, o));
    const float* row = x.data() + (e - 1) * size_t(F);
    EXPECT_NEAR(row[F - 2], newer, 1e-5) << e;
    EXPECT_NEAR(row[F - 1], older, 1e-5) << e;
  }
  // Entry 1's closest newer key is entry 3 (0.998), not the next one (orthogonal).
  EXPECT_GT(x[size_t(F) - 2], 0.99f);
}

TEST(JudgeFeatures, FeatureSetsAreNamedAndParsed) {
  EXPECT_EQ(JudgeFeatureSet::spec().name(), "key,value,stats8");
  EXPECT_EQ(JudgeFeatureSet::standard().name(), "unrotated-key,value,logstats8,position");
  EXPECT_FALSE(JudgeFeatureSet::spec().standardised());
  for (const char* name :
       {"key,value,stats8", "key,value,logstats8", "unrotated-key,value,stats8,position",
        "key,value,logstats8,position", "unrotated-key,value,logstats8,key-similarity",
        "unrotated-key,value,logstats8,position,key-similarity"})
    EXPECT_EQ(JudgeFeatureSet::parse(name, "--features").name(), name);
  EXPECT_EQ(JudgeFeatureSet::parse("default", "--features"), JudgeFeatureSet::standard());
  for (const char* bad : {"", "key", "key,value", "value,key,stats8", "key,value,stats8,age",
                          "key,value,stats8,position,position", "key,value,stats8,key-similarity",
                          "unrotated-key,value,logstats8,key-similarity,position"})
    EXPECT_THROW(JudgeFeatureSet::parse(bad, "--features"), Error) << bad;
}

TEST(Judge, StandardisesItsInputsWithTheStoredStatistics) {
  const JudgeShape shape{1, 2, 4, 1, JudgeFeatureSet::standard()};
  Judge judge(shape);
  const int F = shape.features();
  std::vector<float> x(size_t(F), 3.0f);
  judge.standardise(0, 1, x.data(), 1);
  EXPECT_EQ(x, std::vector<float>(size_t(F), 3.0f));  // identity until measured
  judge.tensor(0, Judge::Tensor::InputMean)[F + 2] = 1.0f;
  judge.tensor(0, Judge::Tensor::InputStd)[F + 2] = 4.0f;
  judge.standardise(0, 1, x.data(), 1);
  EXPECT_EQ(x[2], 0.5f);
  EXPECT_EQ(x[1], 3.0f);
  const JudgeShape spec{1, 2, 4, 1, {}};
  Judge paper(spec);
  paper.tensor(0, Judge::Tensor::InputStd)[0] = 4.0f;
  std::vector<float> y(size_t(spec.features()), 3.0f);
  paper.standardise(0, 0, y.data(), 1);
  EXPECT_EQ(y[0], 3.0f);  // the paper's judge reads raw inputs
}

class JudgeFile : public ::testing::Test {
 protected:
  void SetUp() override {
    Judge judge = Judge::random(kShape, 4);
    judge.info = {"models/m", 256, 64, "", "sl", "foresight train-sl ..."};
    write_judge(dir / "j.safetensors", judge);
  }
  // Rewrites the good file with `edit` applied to its tensors, and expects read_judge to refuse
  // it with a message naming the file and holding `needle`.
  template <typename Edit>
  void expect_refused(Edit edit, const std::string& needle) {
    std::vector<std::vector<float>> data;
    std::vector<TensorToWrite> tensors;
    std::map<std::string, std::string> metadata;
    {
      const SafetensorsFile file(dir / "j.safetensors");
      metadata = file.metadata();
      for (const auto& [name, t] : file.tensors()) {
        data.emplace_back(static_cast<const float*>(t.data),
                          static_cast<const float*>(t.data) + t.numel());
        tensors.push_back({name, DType::F32, t.shape, nullptr});
      }
    }
    edit(tensors, data, metadata);
    for (size_t i = 0; i < tensors.size(); ++i) {
      // an edited shape gets data of its size, so the writer reads no more than it was given
      int64_t numel = 1;
      for (int64_t d : tensors[i].shape) numel *= d;
      data[i].resize(size_t(numel), 0.0f);
      tensors[i].data = data[i].data();
    }
    const auto bad = dir / "bad.safetensors";
    write_safetensors(bad, tensors, metadata);
    try {
      read_judge(bad);
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("bad.safetensors"), std::string::npos) << message;
      EXPECT_NE(message.find(needle), std::string::npos) << message;
    }
  }
  test::TempDir dir;
};

using Tensors = std::vector<TensorToWrite>;
using Data = std::vector<std::vector<float>>;
using Meta = std::map<std::string, std::string>;

TEST_F(JudgeFile, RoundTripsWithNamesShapesAndMetadata) {
  const Judge back = read_judge(dir / "j.safetensors");
  const Judge original = Judge::random(kShape, 4);
  EXPECT_EQ(back.shape(), kShape);
  EXPECT_TRUE(std::equal(back.parameters().begin(), back.parameters().end(),
                         original.parameters().begin(), original.parameters().end()));
  EXPECT_EQ(back.info.model, "models/m");
  EXPECT_EQ(back.info.budget, 256);
  EXPECT_EQ(back.info.evict_every, 64);
  EXPECT_EQ(back.info.stage, "sl");
  EXPECT_EQ(back.info.command, "foresight train-sl ...");

  const SafetensorsFile file(dir / "j.safetensors");
  EXPECT_EQ(file.tensors().size(), 8u);
  EXPECT_EQ(file.tensor("model.layers.1.self_attn.judge_model.fc1.weight").shape,
            (std::vector<int64_t>{2, 32, 16}));
  EXPECT_EQ(file.tensor("model.layers.1.self_attn.judge_model.fc1.bias").shape,
            (std::vector<int64_t>{2, 16}));
  EXPECT_EQ(file.tensor("model.layers.0.self_attn.judge_model.fc2.weight").shape,
            (std::vector<int64_t>{2, 16, 1}));
  EXPECT_EQ(file.tensor("model.layers.0.self_attn.judge_model.fc2.bias").shape,
            (std::vector<int64_t>{2, 1}));
  // W1 of (layer 1, head 1) in the file is the judge's.
  const auto* w1 = static_cast<const float*>(
      file.tensor("model.layers.1.self_attn.judge_model.fc1.weight").data);
  EXPECT_EQ(w1[32 * 16 + 5], original.head(1, 1).w1[5]);
  const auto& m = file.metadata();
  EXPECT_EQ(m.at("n_layers"), "2");
  EXPECT_EQ(m.at("n_kv_heads"), "2");
  EXPECT_EQ(m.at("head_dim"), "4");
  EXPECT_EQ(m.at("group"), "3");
  EXPECT_EQ(m.at("features"), "key,value,stats8");
  EXPECT_NE(m.at("features_note").find("paper's intent"), std::string::npos);
}

TEST_F(JudgeFile, AStandardisedJudgeKeepsItsFeaturesAndStatistics) {
  const JudgeShape shape{2, 2, 4, 3, JudgeFeatureSet::standard()};
  Judge judge = Judge::random(shape, 4);
  for (int layer = 0; layer < 2; ++layer) {
    const auto mean = judge.tensor(layer, Judge::Tensor::InputMean);
    const auto sd = judge.tensor(layer, Judge::Tensor::InputStd);
    for (size_t i = 0; i < mean.size(); ++i) mean[i] = float(i) - 3, sd[i] = 0.5f + float(i);
  }
  judge.info = {"models/m", 488, 32, "244,488,976", "sl", "train-judge ...", "50%"};
  write_judge(dir / "s.safetensors", judge);
  const Judge back = read_judge(dir / "s.safetensors");
  EXPECT_EQ(back.shape(), shape);
  EXPECT_EQ(back.info.budgets, "244,488,976");
  EXPECT_EQ(back.info.recent, "50%");
  for (int layer = 0; layer < 2; ++layer)
    for (const auto t :
         {Judge::Tensor::InputMean, Judge::Tensor::InputStd, Judge::Tensor::Fc1Weight}) {
      const std::span<const float> a = judge.tensor(layer, t), b = back.tensor(layer, t);
      EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
    }
  const SafetensorsFile file(dir / "s.safetensors");
  EXPECT_EQ(file.metadata().at("features"), "unrotated-key,value,logstats8,position");
  EXPECT_EQ(file.tensor("model.layers.1.self_attn.judge_model.input_norm.std").shape,
            (std::vector<int64_t>{2, 2 * 4 + 8 * 3 + 3}));

  // A file whose standard deviation is not positive, or that lacks the statistics, is refused.
  judge.tensor(1, Judge::Tensor::InputStd)[7] = 0.0f;
  write_judge(dir / "zero.safetensors", judge);
  EXPECT_THROW(read_judge(dir / "zero.safetensors"), Error);
  std::vector<TensorToWrite> tensors;
  std::map<std::string, std::string> metadata;
  const SafetensorsFile good(dir / "s.safetensors");
  for (const auto& [name, t] : good.tensors())
    if (name.find("input_norm.mean") == std::string::npos)
      tensors.push_back({name, t.dtype, t.shape, t.data});
  write_safetensors(dir / "lacking.safetensors", tensors, good.metadata());
  try {
    read_judge(dir / "lacking.safetensors");
    ADD_FAILURE() << "a standardised judge without its means was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input_norm.mean"), std::string::npos) << e.what();
  }
}

TEST_F(JudgeFile, AWiderJudgeKeepsItsWidth) {
  JudgeShape shape = kShape;
  shape.hidden = 40;
  const Judge judge = Judge::random(shape, 8);
  write_judge(dir / "wide.safetensors", judge);
  const Judge back = read_judge(dir / "wide.safetensors");
  EXPECT_EQ(back.shape(), shape);
  EXPECT_TRUE(std::equal(back.parameters().begin(), back.parameters().end(),
                         judge.parameters().begin(), judge.parameters().end()));
  const SafetensorsFile file(dir / "wide.safetensors");
  EXPECT_EQ(file.metadata().at("hidden"), "40");
  EXPECT_EQ(file.tensor("model.layers.1.self_attn.judge_model.fc2.weight").shape,
            (std::vector<int64_t>{2, 40, 1}));
  shape.hidden = kMaxJudgeHidden + 1;
  EXPECT_THROW(Judge{shape}, Error);
}

TEST_F(JudgeFile, BrokenFilesAreRefused) {
  expect_refused([](Tensors& t, Data& d, Meta&) { t.pop_back(), d.pop_back(); }, "missing tensor");
  expect_refused([](Tensors& t, Data&, Meta&) { t[0].shape = {2, 16, 32}; }, "shape");
  expect_refused([](Tensors&, Data& d, Meta&) { d[3][7] = NAN; }, "NaN");
  expect_refused(
      [](Tensors& t, Data& d, Meta&) {
        t.push_back(
            {"model.layers.2.self_attn.judge_model.fc1.bias", DType::F32, {2, 16}, nullptr});
        d.emplace_back(32, 0.0f);
      },
      "unexpected tensor");
  expect_refused([](Tensors&, Data&, Meta& m) { m.erase("group"); }, "'group'");
  expect_refused([](Tensors&, Data&, Meta& m) { m["head_dim"] = "four"; }, "head_dim");
  expect_refused([](Tensors&, Data&, Meta& m) { m["stage"] = "final"; }, "stage");
  expect_refused([](Tensors&, Data&, Meta& m) { m["recent"] = "half"; }, "'recent'");
  // A width the tensors do not have, none, or one above the most a judge may have.
  expect_refused([](Tensors&, Data&, Meta& m) { m["hidden"] = "32"; }, "shape");
  expect_refused([](Tensors&, Data&, Meta& m) { m["hidden"] = "0"; }, "'hidden'");
  expect_refused([](Tensors&, Data&, Meta& m) { m["hidden"] = "100000"; }, "'hidden'");
  expect_refused([](Tensors&, Data&, Meta& m) { m["activation"] = "relu"; }, "activation");
  expect_refused([](Tensors&, Data&, Meta& m) { m["features"] = "key,value"; }, "feature set");
  expect_refused([](Tensors&, Data&, Meta& m) { m["format"] = "other"; }, "not a judge file");
  EXPECT_THROW(read_judge(dir / "none.safetensors"), Error);
}

TEST_F(JudgeFile, AJudgeForAnotherModelIsRefused) {
  const Judge judge = read_judge(dir / "j.safetensors");
  ModelConfig c;
  c.n_layers = 2, c.n_heads = 6, c.n_kv_heads = 2, c.head_dim = 4;  // group 3: fits
  EXPECT_NO_THROW(check_judge_fits(judge, c, dir / "j.safetensors"));
  for (auto edit : {+[](ModelConfig& m) { m.n_layers = 3; }, +[](ModelConfig& m) { m.n_heads = 4; },
                    +[](ModelConfig& m) { m.head_dim = 8; },
                    +[](ModelConfig& m) { m.n_kv_heads = 3, m.n_heads = 9; }}) {
    ModelConfig other = c;
    edit(other);
    try {
      check_judge_fits(judge, other, dir / "j.safetensors");
      ADD_FAILURE() << "accepted a judge for another model";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("j.safetensors"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("another model"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace foresight
