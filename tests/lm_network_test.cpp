// The trainer's whole network: its gradient against finite differences of its own loss on a
// tiny model, and its forward pass against the engine's on the model directory it writes.
#include <cmath>

#include <gtest/gtest.h>

#include "core/rng.hpp"
#include "engine/transformer.hpp"
#include "lm/batch_runner.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

// Random weights, norms included (their init of 1 would hide a wrong norm gradient).
LmParameters random_parameters(const LmShape& shape, double std, uint64_t seed) {
  LmParameters p = init_parameters(shape.model_config(), std, seed);
  Rng rng(seed + 1);
  for (const ParamTensor& t : p.layout.tensors())
    if (!t.decay)
      for (int64_t i = 0; i < t.size; ++i) p.values[t.offset + i] = float(1.0 + 0.2 * rng.normal());
  return p;
}

std::vector<int32_t> random_ids(int n, int vocab, uint64_t seed) {
  Rng rng(seed);
  std::vector<int32_t> ids;
  for (int i = 0; i < n; ++i) ids.push_back(int32_t(rng.next() % uint64_t(vocab)));
  return ids;
}

TEST(LmNetwork, GradientMatchesFiniteDifferences) {
  LmShape shape;
  shape.layers = 2, shape.hidden = 16, shape.heads = 2, shape.kv_heads = 1, shape.head_dim = 8;
  shape.intermediate = 24;
  LmParameters p = random_parameters(shape, 0.3, 7);
  const int vocab = p.config.vocab;
  Batch batch;
  batch.add(random_ids(10, vocab, 1), 4);  // T = 9 inputs, the last 6 trained
  batch.add(random_ids(6, vocab, 2), 1);   // every position trained
  LmNetwork net(p.config, 64);
  const double count = double(batch.target_count);
  net.forward(p, batch);
  std::vector<float> grads(p.values.size(), 0.0f);
  net.backward(p, batch, float(1.0 / count), grads);

  // Central differences of the mean loss in float: a step of 1e-2 keeps rounding noise well
  // below the gradients of this model (observed errors are ~1e-4 of the largest gradient of
  // a tensor, at most 1e-3).
  const float h = 1e-2f;
  Rng rng(3);
  for (const ParamTensor& t : p.layout.tensors()) {
    double worst = 0, scale = 0;
    for (int k = 0; k < 6; ++k) {
      const int64_t i = t.offset + int64_t(rng.next() % uint64_t(t.size));
      const float keep = p.values[i];
      p.values[i] = keep + h;
      const double up = net.forward(p, batch) / count;
      p.values[i] = keep - h;
      const double down = net.forward(p, batch) / count;
      p.values[i] = keep;
      const double numeric = (up - down) / (2 * h);
      worst = std::max(worst, std::fabs(numeric - grads[i]));
      scale = std::max(scale, std::fabs(numeric));
    }
    EXPECT_LT(worst, 5e-3 * scale + 1e-5) << t.name << ": largest numeric gradient " << scale;
  }
}

TEST(LmNetwork, ForwardMatchesTheEngineOnTheWrittenModel) {
  LmShape shape;  // 2 layers, width 64, GQA 4/2, head_dim 16
  LmParameters p = random_parameters(shape, 0.1, 11);
  const int vocab = p.config.vocab;
  test::TempDir dir;
  write_hf_model(dir.path(), p);
  auto model = Model::load(dir.path());
  ASSERT_EQ(model->config().parameter_count(), p.layout.size());

  // Two sequences in one batch (the first longer than an attention tile), every position a
  // target so that every row has logits.
  const std::vector<std::vector<int32_t>> seqs = {random_ids(101, vocab, 5),
                                                  random_ids(38, vocab, 6)};
  Batch batch;
  for (const auto& s : seqs) batch.add(s, 1);
  LmNetwork net(p.config, 256);
  net.forward(p, batch);
  const auto logits = net.logits();
  int64_t row = 0;
  for (const auto& s : seqs) {
    Sequence seq(model->config());
    const std::span<const int32_t> inputs(s.data(), s.size() - 1);
    const auto expected = forward_chunk(*model, seq, inputs, LogitsWanted::All);
    for (size_t t = 0; t < inputs.size(); ++t, ++row) {
      double diff = 0, scale = 0;
      for (int j = 0; j < vocab; ++j) {
        diff = std::max(diff, double(std::fabs(logits[row * vocab + j] - expected[t * vocab + j])));
        scale = std::max(scale, double(std::fabs(expected[t * vocab + j])));
      }
      ASSERT_LT(diff / scale, 1e-4) << "sequence position " << t;
    }
  }
}

}  // namespace
}  // namespace foresight

namespace foresight {
namespace {

// Sharding a batch over threads (each thread its own sequences and gradient buffer) computes
// the same loss and gradient as running it as one batch, up to the order of float sums.
TEST(LmNetwork, ShardedBatchMatchesOneNetwork) {
  LmShape shape;
  shape.hidden = 32, shape.heads = 2, shape.kv_heads = 1, shape.intermediate = 48;
  const LmParameters p = random_parameters(shape, 0.2, 3);
  Batch batch;
  for (int s = 0; s < 7; ++s) batch.add(random_ids(20 + 9 * s, p.config.vocab, 40 + s), 5);
  const float scale = 1.0f / float(batch.target_count);

  LmNetwork net(p.config, 128);
  std::vector<float> want(p.values.size(), 0.0f), got(p.values.size(), 0.0f);
  const double want_loss = net.forward(p, batch);
  net.backward(p, batch, scale, want);
  BatchRunner runner(p.config, 128);
  const double got_loss = runner.loss_and_gradient(p, batch, scale, got);
  EXPECT_NEAR(got_loss, want_loss, 1e-5 * want_loss);
  EXPECT_NEAR(runner.loss(p, batch), want_loss, 1e-5 * want_loss);
  double diff = 0, largest = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff = std::max(diff, double(std::fabs(got[i] - want[i])));
    largest = std::max(largest, double(std::fabs(want[i])));
  }
  EXPECT_LT(diff, 1e-5 * largest);
}

}  // namespace
}  // namespace foresight
