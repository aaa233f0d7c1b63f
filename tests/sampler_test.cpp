#include <cmath>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "engine/generate.hpp"
#include "model/random_model.hpp"
#include "model/sampler.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

const std::vector<float> kLogits = {1.0f, 3.0f, 2.0f, 3.0f, -1.0f, 0.5f};

TEST(Sampler, GreedyTakesTheLowestIdAmongTheLargest) {
  Sampler s(SamplingSettings{});
  EXPECT_EQ(s.sample(kLogits), 1);
}

TEST(Sampler, TopKOneAndTinyTopPAreGreedy) {
  for (int seed = 0; seed < 20; ++seed) {
    Sampler k1({.temperature = 1.0f, .top_k = 1, .seed = uint64_t(seed)});
    EXPECT_EQ(k1.sample(kLogits), 1);
    Sampler p({.temperature = 1.0f, .top_p = 1e-6f, .seed = uint64_t(seed)});
    EXPECT_EQ(p.sample(kLogits), 1);
  }
}

TEST(Sampler, SameSeedSameDraws) {
  Sampler a({.temperature = 1.0f, .seed = 42}), b({.temperature = 1.0f, .seed = 42});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.sample(kLogits), b.sample(kLogits));
}

TEST(Sampler, FrequenciesFollowTheTemperedSoftmax) {
  const float temperature = 1.5f;
  Sampler s({.temperature = temperature, .seed = 7});
  const int draws = 60000;
  std::vector<int> counts(kLogits.size());
  for (int i = 0; i < draws; ++i) ++counts[s.sample(kLogits)];
  double z = 0;
  for (float l : kLogits) z += std::exp(l / temperature);
  for (size_t i = 0; i < kLogits.size(); ++i) {
    const double p = std::exp(kLogits[i] / temperature) / z;
    const double sd = std::sqrt(p * (1 - p) / draws);
    EXPECT_NEAR(double(counts[i]) / draws, p, 5 * sd) << "id " << i;
  }
}

TEST(Sampler, TopKAndTopPRestrictTheCandidates) {
  Sampler k({.temperature = 5.0f, .top_k = 3, .seed = 3});
  // top-p 0.5 at temperature 1: ids 1 and 3 (the two 3.0 logits) hold ~0.58 together.
  Sampler p({.temperature = 1.0f, .top_p = 0.5f, .seed = 3});
  for (int i = 0; i < 2000; ++i) {
    const int a = k.sample(kLogits), b = p.sample(kLogits);
    EXPECT_TRUE(a == 1 || a == 2 || a == 3) << a;
    EXPECT_TRUE(b == 1 || b == 3) << b;
  }
}

TEST(Sampler, VocabLimitExcludesPaddingIds) {
  Sampler s({.vocab_limit = 3});
  const std::vector<float> logits = {0.0f, 1.0f, 2.0f, 9.0f};
  EXPECT_EQ(s.sample(logits), 2);
}

TEST(Sampler, BadSettingsAreRefused) {
  EXPECT_THROW(Sampler({.temperature = -1.0f}), Error);
  EXPECT_THROW(Sampler({.temperature = NAN}), Error);
  EXPECT_THROW(Sampler({.top_k = -2}), Error);
  EXPECT_THROW(Sampler({.top_p = 0.0f}), Error);
  EXPECT_THROW(Sampler({.top_p = 1.5f}), Error);
}

TEST(Generate, GreedyFollowsTheArgmaxAndStopsAtAStopId) {
  test::TempDir dir;
  write_random_model(dir.path(), RandomModelSpec{});
  auto model = Model::load(dir.path());
  const std::vector<int32_t> prompt = {5, 17, 99, 200};
  GenerateSettings settings;
  settings.max_new_tokens = 12;
  settings.prefill_chunk = 3;
  const GenerateResult r = generate(*model, prompt, settings);
  ASSERT_EQ(r.tokens.size(), 12u);
  EXPECT_FALSE(r.stopped);

  // The same tokens by hand: one forward pass per token, argmax each time.
  Sequence seq(model->config());
  auto logits = forward_chunk(*model, seq, prompt, LogitsWanted::Last);
  for (int32_t expected : r.tokens) {
    const auto argmax = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
    ASSERT_EQ(argmax, expected);
    logits = forward_chunk(*model, seq, std::span(&expected, 1), LogitsWanted::Last);
  }

  settings.stop_ids = {r.tokens[3]};
  const GenerateResult stopped = generate(*model, prompt, settings);
  EXPECT_TRUE(stopped.stopped);
  EXPECT_EQ(stopped.tokens.back(), r.tokens[3]);
  EXPECT_LE(stopped.tokens.size(), 4u);
  EXPECT_EQ(r.peak_kv_bytes, int64_t(prompt.size() + 11) * model->config().kv_bytes_per_token());
}

TEST(Generate, CliStreamsTextAndReportsTheSummary) {
  test::TempDir dir;
  write_random_model(dir.path(), RandomModelSpec{});
  const auto r = test::run_command(test::cli() + " generate --model " + dir.path().string() +
                                   " --chat --prompt 'hello' --max-new-tokens 5 --seed 3 "
                                   "--temperature 0.7");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("generated 5 tokens"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("decode"), std::string::npos) << r.output;
  const auto missing = test::run_command(test::cli() + " generate --model " + dir.path().string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("--prompt"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace foresight
