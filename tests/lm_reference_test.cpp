// The trainer's optimisation steps against an independent PyTorch implementation
// (tests/reference/lm_train.py, autograd and torch.optim.AdamW) from the same initial weights
// on the same batch: every step's loss must agree, which checks the forward pass, every
// gradient, clipping and AdamW together.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/rng.hpp"
#include "lm/train_step.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

TEST(LmReference, TrainingStepsMatchPyTorch) {
  LmShape shape;
  shape.layers = 2, shape.hidden = 32, shape.heads = 4, shape.kv_heads = 2, shape.head_dim = 8;
  shape.intermediate = 48;
  // A larger init than training uses, so that the steps move the loss visibly.
  LmParameters params = init_parameters(shape.model_config(), 0.2, 9);
  test::TempDir dir;
  write_hf_model(dir / "model", params);

  Rng rng(4);
  Batch batch;
  Json sequences = Json::array();
  for (int len : {21, 14, 8}) {
    std::vector<int32_t> ids;
    for (int t = 0; t < len; ++t) ids.push_back(int32_t(rng.next() % 261));
    const int first_target = len / 3;
    batch.add(ids, first_target);
    sequences.push_back({{"ids", ids}, {"first_target", first_target}});
  }
  const int steps = 4;
  const double lr = 1e-2;
  write_file_atomic(dir / "batch.json",
                    Json{{"sequences", sequences}, {"lr", lr}, {"steps", steps}}.dump());

  BatchRunner runner(params.config, 32);
  AdamW optimizer = make_adamw(params.layout, {});
  std::vector<float> grads;
  std::vector<double> losses;
  for (int s = 0; s <= steps; ++s)
    losses.push_back(train_step(runner, params, optimizer, grads, batch, lr, 1.0).loss);

  const auto r = test::run_command("/usr/bin/python3 " +
                                   (test::source_dir() / "tests/reference/lm_train.py").string() +
                                   " --threads 1 --dir " + dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.output);
  int modes = 0;
  for (std::string line; std::getline(lines, line);) {
    const Json j = Json::parse(line);
    const auto reference = j.at("losses").get<std::vector<double>>();
    ASSERT_EQ(reference.size(), losses.size()) << line;
    for (size_t s = 0; s < losses.size(); ++s)
      EXPECT_NEAR(losses[s], reference[s], 1e-5 * reference[s])
          << j["implementation"] << " step " << s;
    ++modes;
  }
  EXPECT_EQ(modes, 2);
  EXPECT_LT(losses.back(), 0.9 * losses.front());  // the steps did move the loss
}

}  // namespace
}  // namespace foresight
