// Training data and optimisation pieces of the trainer: the JSONL trace reader, the batcher
// (limits, epochs, curriculum, resumable position), the learning-rate schedule, AdamW and
// gradient clipping.
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "lm/batcher.hpp"
#include "model/byte_tokenizer.hpp"
#include "optim/adamw.hpp"
#include "optim/lr_schedule.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

Tokenizer byte_tokenizer(const test::TempDir& dir) {
  std::ofstream(dir / "tokenizer.json") << make_byte_level_tokenizer().json;
  return Tokenizer::load(dir / "tokenizer.json");
}

std::filesystem::path write_lines(const test::TempDir& dir, const std::string& name,
                                  const std::vector<std::string>& lines) {
  std::ofstream out(dir / name);
  for (const auto& l : lines) out << l << "\n";
  return dir / name;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LmData, ReadsPromptTraceAndEndToken) {
  test::TempDir dir;
  const Tokenizer tok = byte_tokenizer(dir);
  const int32_t end = 999;
  const auto file = write_lines(
      dir, "a.jsonl",
      {R"({"prompt": "Hi\n", "trace": "ok", "id": 3})", "", R"({"prompt": "x", "trace": ""})",
       R"({"prompt": "long", "trace": "0123456789"})"});
  const TraceDataset d = read_trace_dataset(std::span(&file, 1), tok, end, 8);
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_EQ(d.dropped, 1);  // 4 + 10 + 1 tokens: 14 inputs > 8
  EXPECT_EQ(d.examples[0].ids, (std::vector<int32_t>{'H', 'i', '\n', 'o', 'k', end}));
  EXPECT_EQ(d.examples[0].first_target, 3);
  EXPECT_EQ(d.examples[0].inputs(), 5);
  EXPECT_EQ(d.examples[1].ids, (std::vector<int32_t>{'x', end}));  // only the end is trained
  EXPECT_EQ(d.tokens(), 6);
}

TEST(LmData, ReaderErrorsNameFileAndLine) {
  test::TempDir dir;
  const Tokenizer tok = byte_tokenizer(dir);
  auto read = [&](const std::vector<std::string>& lines) {
    const auto file = write_lines(dir, "bad.jsonl", lines);
    return error_of([&] { read_trace_dataset(std::span(&file, 1), tok, 0, 100); });
  };
  EXPECT_NE(read({R"({"prompt": "a", "trace": "b"})", "{oops"}).find("bad.jsonl:2: invalid JSON"),
            std::string::npos);
  EXPECT_NE(read({R"({"prompt": "a"})"}).find("bad.jsonl:1: 'trace' must be a string"),
            std::string::npos);
  EXPECT_NE(read({R"({"prompt": 5, "trace": "b"})"}).find("'prompt' must be a string"),
            std::string::npos);
  EXPECT_NE(read({R"({"prompt": "", "trace": "b"})"}).find("bad.jsonl:1: 'prompt' is empty"),
            std::string::npos);
  const std::filesystem::path missing = dir / "missing.jsonl";
  EXPECT_NE(error_of([&] {
              read_trace_dataset(std::span(&missing, 1), tok, 0, 100);
            }).find("missing.jsonl"),
            std::string::npos);
}

// Examples of the given input lengths (ids all 1; the first token is the prompt).
TraceDataset dataset_of(const std::vector<int>& inputs) {
  TraceDataset d;
  for (int n : inputs) d.examples.push_back({std::vector<int32_t>(size_t(n) + 1, 1), 1});
  return d;
}

// The example each batch row came from, recognised by its length (lengths are distinct).
std::vector<int64_t> lengths_of(const Batch& b) {
  std::vector<int64_t> out;
  for (int64_t s = 0; s < b.sequences(); ++s) out.push_back(b.offsets[s + 1] - b.offsets[s]);
  return out;
}

TEST(LmData, BatcherRespectsLimitsAndUsesEveryExampleOncePerEpoch) {
  std::vector<int> lengths;
  for (int i = 1; i <= 30; ++i) lengths.push_back(i);
  const TraceDataset d = dataset_of(lengths);
  DataSettings settings;
  settings.max_tokens = 30;
  Batcher batcher(d, {4, 40}, settings, 7);
  std::multiset<int64_t> seen;
  int64_t step = 0;
  while (batcher.position().epoch == 0) {
    const Batch b = batcher.next(step++);
    EXPECT_LE(b.sequences(), 4);
    EXPECT_TRUE(b.rows() <= 40 || b.sequences() == 1);
    for (int64_t n : lengths_of(b)) seen.insert(n);
  }
  // everything of epoch 0 was used once, plus what the last batch took from epoch 1
  for (int n = 1; n <= 30; ++n) EXPECT_GE(seen.count(n), 1u) << n;
  EXPECT_LE(seen.size(), 30u + 4u);
}

TEST(LmData, CurriculumCapsLengthsAndLongExamplesWait) {
  std::vector<int> lengths;
  for (int i = 1; i <= 40; ++i) lengths.push_back(i);
  const TraceDataset d = dataset_of(lengths);
  DataSettings settings;
  settings.max_tokens = 40;
  settings.curriculum_start_tokens = 10;
  settings.curriculum_ramp_steps = 20;
  EXPECT_EQ(settings.length_cap(0), 10);
  EXPECT_EQ(settings.length_cap(10), 25);
  EXPECT_EQ(settings.length_cap(20), 40);
  Batcher batcher(d, {3, 1000}, settings, 1);
  std::set<int64_t> seen;
  for (int64_t step = 0; step < 30; ++step) {
    const Batch b = batcher.next(step);
    for (int64_t n : lengths_of(b)) {
      EXPECT_LE(n, settings.length_cap(step)) << "step " << step;
      seen.insert(n);
    }
  }
  EXPECT_EQ(seen.size(), 40u);  // the long ones came once the cap reached them
}

TEST(LmData, BatcherPositionRestoresTheSameStream) {
  std::vector<int> lengths;
  for (int i = 1; i <= 25; ++i) lengths.push_back(i);
  const TraceDataset d = dataset_of(lengths);
  DataSettings settings;
  settings.max_tokens = 25;
  settings.curriculum_start_tokens = 8;
  settings.curriculum_ramp_steps = 15;
  Batcher straight(d, {3, 60}, settings, 5), resumed(d, {3, 60}, settings, 5);
  for (int64_t step = 0; step < 9; ++step) straight.next(step);
  const Json saved = straight.position().to_json();
  resumed.set_position(DataPosition::from_json(saved, "test"));
  for (int64_t step = 9; step < 40; ++step)
    EXPECT_EQ(lengths_of(straight.next(step)), lengths_of(resumed.next(step))) << step;
  // a different seed gives a different order
  Batcher other(d, {3, 60}, settings, 6);
  Batcher again(d, {3, 60}, settings, 5);
  bool differs = false;
  for (int64_t step = 0; step < 5; ++step)
    differs |= lengths_of(other.next(step)) != lengths_of(again.next(step));
  EXPECT_TRUE(differs);
}

TEST(LmData, BatcherErrors) {
  const TraceDataset empty;
  DataSettings settings;
  settings.max_tokens = 10;
  EXPECT_NE(error_of([&] { Batcher(empty, {}, settings, 1); }).find("no training examples"),
            std::string::npos);
  const TraceDataset long_only = dataset_of({9, 10});
  settings.curriculum_start_tokens = 3;
  settings.curriculum_ramp_steps = 100;
  Batcher b(long_only, {}, settings, 1);
  EXPECT_NE(error_of([&] { b.next(0); }).find("length cap of 3 tokens at step 0"),
            std::string::npos);
  DataPosition bad;
  bad.cursor = 5;
  EXPECT_NE(error_of([&] { b.set_position(bad); }).find("does not fit a dataset of 2"),
            std::string::npos);
}

TEST(LmData, WarmupThenCosine) {
  LrSchedule s{1e-3, 1e-4, 10, 110};
  EXPECT_DOUBLE_EQ(s.at(0), 1e-4);
  EXPECT_DOUBLE_EQ(s.at(9), 1e-3);
  EXPECT_DOUBLE_EQ(s.at(10), 1e-3);
  EXPECT_NEAR(s.at(60), 5.5e-4, 1e-12);  // halfway down
  EXPECT_NEAR(s.at(110), 1e-4, 1e-12);
  EXPECT_NEAR(s.at(500), 1e-4, 1e-12);
}

TEST(LmData, AdamWMatchesItsFormulaAndSkipsDecayOnNorms) {
  LmShape shape;
  shape.layers = 1, shape.hidden = 2, shape.heads = 1, shape.kv_heads = 1, shape.head_dim = 2;
  shape.intermediate = 2;
  const LmLayout layout(shape.model_config());
  AdamWSettings s{0.9, 0.95, 1e-8, 0.1};
  AdamW opt = make_adamw(layout, s);
  std::vector<float> p(size_t(layout.size()), 0.5f), g(size_t(layout.size()), 0.0f);
  for (size_t i = 0; i < g.size(); ++i) g[i] = 0.01f * float(i % 7) - 0.03f;
  const double lr = 0.01;
  std::vector<double> m(g.size(), 0), v(g.size(), 0), want(p.begin(), p.end());
  for (int step = 1; step <= 2; ++step) {
    opt.update(p, g, lr);
    for (const ParamTensor& t : layout.tensors())
      for (int64_t i = t.offset; i < t.offset + t.size; ++i) {
        if (t.decay) want[i] *= 1 - lr * s.weight_decay;
        m[i] = s.beta1 * m[i] + (1 - s.beta1) * g[i];
        v[i] = s.beta2 * v[i] + (1 - s.beta2) * g[i] * g[i];
        const double mh = m[i] / (1 - std::pow(s.beta1, step)),
                     vh = v[i] / (1 - std::pow(s.beta2, step));
        want[i] -= lr * mh / (std::sqrt(vh) + s.eps);
      }
  }
  // (decay moves a weight by lr * wd * 0.5 = 5e-4 a step: a norm decayed by mistake fails)
  EXPECT_EQ(opt.steps(), 2);
  for (size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], want[i], 1e-6) << i;
}

TEST(LmData, ClipScalesToTheMaximumNorm) {
  std::vector<float> g = {3.0f, 4.0f, 0.0f};
  EXPECT_NEAR(clip_gradient_norm(g, 10.0), 5.0, 1e-6);
  EXPECT_EQ(g[0], 3.0f);
  EXPECT_NEAR(clip_gradient_norm(g, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(std::hypot(g[0], g[1]), 1.0, 1e-5);
  EXPECT_NEAR(clip_gradient_norm(g, 0.0), 1.0, 1e-5);  // 0: no clipping
}

}  // namespace
}  // namespace foresight
