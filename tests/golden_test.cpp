// Golden Eviction: the recorded block attention, the oracle's schedule on hand-made attention,
// its replay as a policy, and the score command with golden.
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "engine/transformer.hpp"
#include "golden_replay.hpp"
#include "kv/attention_recorder.hpp"
#include "model/random_model.hpp"
#include "test_util.hpp"
#include "train/golden.hpp"

namespace foresight {
namespace {

std::vector<int32_t> without(std::vector<int32_t> from, const std::vector<int32_t>& gone) {
  std::erase_if(from,
                [&](int32_t p) { return std::find(gone.begin(), gone.end(), p) != gone.end(); });
  return from;
}

// One layer, two KV heads, 20 tokens in blocks of L = 4, budget 8: evictions follow chunks 2, 3
// and 4 (counts 12 each time), scored by blocks >= 3, >= 4 and none.
TEST(GoldenSchedule, EvictsTheLowestFutureAttentionOfLaterBlocks) {
  BlockAttention s(1, 2, 20, 4);
  // Head 0: key 7 is attended by block 2 only (the chunk just processed: past, so it does not
  // count); keys 1, 5, 6 by block 3; keys 2 and 9 by block 4. Head 1 sees nothing: ties.
  s.at(0, 0, 7, 2) = 0.9f;
  s.at(0, 0, 1, 3) = 0.5f, s.at(0, 0, 5, 3) = 0.4f, s.at(0, 0, 6, 3) = 0.1f;
  s.at(0, 0, 2, 4) = 0.3f, s.at(0, 0, 9, 4) = 0.6f;
  const FutureAttention future(std::move(s));
  EXPECT_FLOAT_EQ(future.alpha(0, 0, 2, 3), 0.3f);  // the max over blocks 3 and 4
  EXPECT_FLOAT_EQ(future.alpha(0, 0, 7, 2), 0.9f);
  EXPECT_FLOAT_EQ(future.alpha(0, 0, 7, 3), 0.0f);
  EXPECT_FLOAT_EQ(future.alpha(0, 0, 9, 0), 0.6f);  // blocks before key 9's are empty
  EXPECT_FLOAT_EQ(future.alpha(0, 0, 9, 5), 0.0f);  // no block left
  EXPECT_THROW(future.alpha(0, 0, 20, 0), Error);

  const test::GoldenLabels labels = test::golden_evictions(future, EvictionSchedule{8, 4, 0});
  ASSERT_EQ(labels.n_steps, 3);
  ASSERT_EQ(labels.evictions.size(), 6u);
  using P = std::vector<int32_t>;
  const test::GoldenEviction& a = labels.at(0, 0, 0);
  EXPECT_EQ(a.chunk, 2);
  EXPECT_EQ(a.candidates, (P{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(a.targets,
            (std::vector<float>{-0.0f, -0.5f, -0.3f, -0.0f, -0.0f, -0.4f, -0.1f, -0.0f}));
  EXPECT_EQ(a.evicted, (P{0, 3, 4, 7}));  // the four zeros, key 7 among them
  const test::GoldenEviction& b = labels.at(1, 0, 0);
  EXPECT_EQ(b.chunk, 3);
  EXPECT_EQ(b.candidates, (P{1, 2, 5, 6, 8, 9, 10, 11}));
  EXPECT_EQ(b.evicted, (P{1, 5, 6, 8}));  // only 2 and 9 matter to block 4; the oldest zeros go
  const test::GoldenEviction& c = labels.at(2, 0, 0);
  EXPECT_EQ(c.candidates, (P{2, 9, 10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(c.evicted, (P{2, 9, 10, 11}));  // after the last chunk all are 0: oldest first
  EXPECT_EQ(labels.at(0, 0, 1).evicted, (P{0, 1, 2, 3}));
  EXPECT_EQ(labels.at(1, 0, 1).evicted, (P{4, 5, 6, 7}));

  // Sinks are never candidates.
  const test::GoldenLabels sunk = test::golden_evictions(future, EvictionSchedule{10, 4, 2});
  for (const test::GoldenEviction& e : sunk.evictions) EXPECT_GE(e.candidates.front(), 2);
  // So is the prompt under --sinks prompt (3 tokens here; B - L = 6 would allow up to 6).
  EvictionSchedule prompt{10, 4, 0};
  prompt.set_sinks("prompt", 0);
  const test::GoldenLabels protected_prompt = test::golden_evictions(future, prompt, 3);
  ASSERT_FALSE(protected_prompt.evictions.empty());
  for (const test::GoldenEviction& e : protected_prompt.evictions)
    EXPECT_GE(e.candidates.front(), 3);
  // And the newest 6 under --recent 6 (L = 4): a candidate is at least 6 tokens old.
  EvictionSchedule recent{10, 4, 0};
  recent.set_recent("6");
  const test::GoldenLabels windowed = test::golden_evictions(future, recent);
  ASSERT_FALSE(windowed.evictions.empty());
  for (const test::GoldenEviction& e : windowed.evictions)
    EXPECT_LT(e.candidates.back(), 4 * e.chunk + 4 - 6);
  EXPECT_THROW(test::golden_evictions(future, EvictionSchedule{8, 5, 0}), Error);  // L differs
}

class GoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_random_model(dir.path(), RandomModelSpec{});
    model = Model::load(dir.path());
  }
  const ModelConfig& config() const { return model->config(); }
  test::TempDir dir;
  std::unique_ptr<Model> model;
};

TEST_F(GoldenTest, RecordedBlockMeansSumToOneAndAgreeWithTheCacheStatistics) {
  // 45 tokens in blocks of 16: the last block has 13 queries. h2o (budget above the length, so
  // nothing is evicted) makes the cache accumulate each entry's total attention per query head.
  const ModelConfig& c = config();
  const int T = 45, L = 16;
  const auto ids = test::pattern_tokens(T, c.vocab);
  Sequence plain(c, {.schedule = EvictionSchedule{0, L, 0}});
  const auto expected = forward_tokens(*model, plain, ids, LogitsWanted::All);
  AttentionRecorder recorder(c, T, L);
  Sequence seq(c, {.schedule = EvictionSchedule{64, L, 0},
                   .policy = make_policy("h2o"),
                   .recorder = &recorder});
  EXPECT_EQ(forward_tokens(*model, seq, ids, LogitsWanted::All), expected);  // read-only hook
  const BlockAttention& s = recorder.means();
  ASSERT_EQ(s.n_blocks(), 3);
  for (int layer = 0; layer < c.n_layers; ++layer)
    for (int h = 0; h < c.n_kv_heads; ++h) {
      for (int j = 0; j < 3; ++j) {
        double total = 0;  // every query's probabilities sum to 1 over the keys it sees
        for (int key = 0; key < std::min(T, (j + 1) * L); ++key) total += s.at(layer, h, key, j);
        EXPECT_NEAR(total, 1.0, 1e-5) << layer << " " << h << " " << j;
      }
      const HeadCache& head = seq.cache().head(layer, h);
      for (int key = 0; key < T; ++key) {
        double recorded = 0, cache = 0;  // undo the means: queries per block x group
        for (int j = int(s.first_block(key)); j < 3; ++j)
          recorded += s.at(layer, h, key, j) * (std::min(T, (j + 1) * L) - j * L) * c.group();
        // cum covers the completed chunks; the open last chunk is still in its sum.
        for (int slot = 0; slot < c.group(); ++slot) {
          const float* stats = head.stats() + head.stats_stride() * key + kNumStats * slot;
          cache += stats[kStatCum] + stats[kStatSum];
        }
        EXPECT_NEAR(recorded, cache, 1e-4) << layer << " " << h << " " << key;
      }
    }
}

TEST_F(GoldenTest, RecordingTokenByTokenEqualsRecordingInChunks) {
  const ModelConfig& c = config();
  const int T = 37, L = 8;
  const auto ids = test::pattern_tokens(T, c.vocab, 3);
  AttentionRecorder chunked(c, T, L), stepwise(c, T, L);
  Sequence a(c, {.schedule = EvictionSchedule{0, L, 0}, .recorder = &chunked}),
      b(c, {.schedule = EvictionSchedule{0, L, 0}, .recorder = &stepwise});
  forward_tokens(*model, a, ids, LogitsWanted::Last);
  for (int32_t id : ids) forward_chunk(*model, b, std::span(&id, 1), LogitsWanted::Last);
  for (int layer = 0; layer < c.n_layers; ++layer)
    for (int h = 0; h < c.n_kv_heads; ++h)
      for (int key = 0; key < T; ++key)
        for (int64_t j = chunked.means().first_block(key); j < chunked.means().n_blocks(); ++j)
          ASSERT_NEAR(chunked.means().at(layer, h, key, j), stepwise.means().at(layer, h, key, j),
                      1e-6);
  // A chunk across a block boundary would mix two blocks' queries.
  AttentionRecorder strict(c, T, L);
  Sequence d(c, {.schedule = EvictionSchedule{0, L, 0}, .recorder = &strict});
  EXPECT_THROW(forward_chunk(*model, d, std::span(ids).first(10), LogitsWanted::Last), Error);
  // So would queries beyond the tokens it was made for.
  AttentionRecorder small(c, 20, L);
  Sequence e(c, {.schedule = EvictionSchedule{0, L, 0}, .recorder = &small});
  EXPECT_THROW(forward_tokens(*model, e, ids, LogitsWanted::Last), Error);
}

TEST_F(GoldenTest, ReplayFollowsTheOracleScheduleAndKeepsTheHighestFutureAttention) {
  const ModelConfig& c = config();
  const int T = 100, L = 8;
  const EvictionSchedule schedule{24, L, 0};
  const auto ids = test::pattern_tokens(T, c.vocab, 1);
  auto future = std::make_shared<const FutureAttention>(record_future_attention(*model, ids, L));
  const test::GoldenLabels labels = test::golden_evictions(*future, schedule);
  ASSERT_EQ(labels.n_steps, T / L - 3);  // after chunks 3 .. 11
  Sequence seq(c, {.schedule = schedule, .policy = make_policy("golden"), .future = future});
  for (int chunk = 0; chunk < T / L; ++chunk) {
    forward_chunk(*model, seq, std::span(ids).subspan(size_t(chunk) * L, L), LogitsWanted::Last);
    const int step = chunk - 3;
    if (step < 0) continue;
    for (int layer = 0; layer < c.n_layers; ++layer)
      for (int h = 0; h < c.n_kv_heads; ++h) {
        const test::GoldenEviction& e = labels.at(step, layer, h);
        ASSERT_EQ(e.chunk, chunk);
        std::vector<int32_t> kept = without(e.candidates, e.evicted);
        for (int p = chunk * L; p < (chunk + 1) * L; ++p) kept.push_back(p);
        const auto pos = seq.cache().head(layer, h).positions();
        ASSERT_EQ(std::vector<int32_t>(pos.begin(), pos.end()), kept)
            << step << " " << layer << " " << h;
        // Every evicted candidate has at most the future attention of every kept one.
        float worst_kept = INFINITY, best_evicted = -INFINITY;
        for (size_t i = 0; i < e.candidates.size(); ++i) {
          const float alpha = future->alpha(layer, h, e.candidates[i], chunk + 1);
          ASSERT_EQ(e.targets[i], -alpha);
          const bool gone = std::binary_search(e.evicted.begin(), e.evicted.end(), e.candidates[i]);
          (gone ? best_evicted : worst_kept) =
              gone ? std::max(best_evicted, alpha) : std::min(worst_kept, alpha);
        }
        ASSERT_LE(best_evicted, worst_kept);
      }
  }
}

TEST_F(GoldenTest, BudgetAboveTheLengthReproducesTheFullCacheExactly) {
  const ModelConfig& c = config();
  const auto ids = test::pattern_tokens(70, c.vocab);
  Sequence full(c, {.schedule = EvictionSchedule{0, 16, 0}});
  const auto expected = forward_tokens(*model, full, ids, LogitsWanted::All);
  auto future = std::make_shared<const FutureAttention>(record_future_attention(*model, ids, 16));
  Sequence seq(c, {.schedule = EvictionSchedule{128, 16, 0},
                   .policy = make_policy("golden"),
                   .future = future});
  EXPECT_EQ(forward_tokens(*model, seq, ids, LogitsWanted::All), expected);
  EXPECT_EQ(seq.stats().evictions, 0);
}

// Golden's teacher-forced loss is not guaranteed to beat a heuristic (attention renormalises
// over what is kept, and a random model's attention is nearly flat), but at the first eviction,
// where every policy starts from the same full cache, what golden keeps has the most future
// attention of any choice, so of every heuristic's.
TEST_F(GoldenTest, ReplaysCountTheFutureAttentionTheyEvict) {
  // A replay with the trace's future counts, for any policy, the evicted entries whose future
  // attention exceeds the threshold and the attention they take with them; recounted here from
  // the oracle's own labels (golden) and from alpha of what h2o dropped.
  const ModelConfig& c = config();
  const EvictionSchedule schedule{24, 8, 0};
  const auto ids = test::pattern_tokens(100, c.vocab, 1);
  auto future = std::make_shared<const FutureAttention>(record_future_attention(*model, ids, 8));
  const test::GoldenLabels labels = test::golden_evictions(*future, schedule);
  for (const float tau : {1e-3f, 3e-2f}) {
    int64_t harmful = 0;
    double mass = 0;
    for (const test::GoldenEviction& e : labels.evictions)
      for (const int32_t p : e.evicted) {
        const float alpha = future->alpha(e.layer, e.kv_head, p, e.chunk + 1);
        harmful += alpha > tau;
        mass += alpha;
      }
    Sequence seq(c, {.schedule = schedule,
                     .policy = make_policy("golden"),
                     .future = future,
                     .harm_threshold = tau});
    forward_tokens(*model, seq, ids, LogitsWanted::Last);
    EXPECT_EQ(seq.stats().harmful_evictions, harmful) << tau;
    EXPECT_NEAR(seq.stats().evicted_future_attention, mass, 1e-4 * (1 + mass)) << tau;
  }
  // Any policy replayed with the future attached is measured; without it nothing is counted.
  Sequence h2o(c, {.schedule = schedule, .policy = make_policy("h2o"), .future = future}),
      blind(c, {.schedule = schedule, .policy = make_policy("h2o")});
  forward_tokens(*model, h2o, ids, LogitsWanted::Last);
  forward_tokens(*model, blind, ids, LogitsWanted::Last);
  EXPECT_GT(h2o.stats().evicted_future_attention, 0);
  EXPECT_EQ(blind.stats().evicted_future_attention, 0);
  EXPECT_EQ(blind.stats().evicted_entries, h2o.stats().evicted_entries);
}

TEST_F(GoldenTest, FirstEvictionKeepsMoreFutureAttentionThanEveryHeuristic) {
  const ModelConfig& c = config();
  const int L = 8;
  const EvictionSchedule schedule{24, L, 0};
  for (int salt = 0; salt < 3; ++salt) {
    const auto ids = test::pattern_tokens(96, c.vocab, salt);
    auto future = std::make_shared<const FutureAttention>(record_future_attention(*model, ids, L));
    const auto first = std::span(ids).first(32);  // the first eviction follows chunk 3
    auto kept_attention = [&](const Sequence& seq, int layer, int h) {
      double total = 0;
      for (int32_t p : seq.cache().head(layer, h).positions())
        total += future->alpha(layer, h, p, 4);
      return total;
    };
    Sequence golden(c, {.schedule = schedule, .policy = make_policy("golden"), .future = future});
    forward_tokens(*model, golden, first, LogitsWanted::Last);
    for (const std::string name : {"random", "streaming", "h2o", "tova", "snapkv", "rkv"}) {
      std::shared_ptr<const Policy> policy = make_policy(name);
      Sequence seq(c, {.schedule = EvictionSchedule{24, L, default_sinks(policy.get())},
                       .policy = policy,
                       .seed = 1});
      forward_tokens(*model, seq, first, LogitsWanted::Last);
      ASSERT_EQ(seq.stats().evictions, c.n_layers);
      for (int layer = 0; layer < c.n_layers; ++layer)
        for (int h = 0; h < c.n_kv_heads; ++h)
          EXPECT_GE(kept_attention(golden, layer, h) + 1e-6, kept_attention(seq, layer, h))
              << name << " " << layer << " " << h;
    }
  }
}

TEST_F(GoldenTest, NeedsTheRecordedFutureOfItsTrace) {
  const ModelConfig& c = config();
  const EvictionSchedule schedule{24, 8, 0};
  try {
    Sequence seq(c, {.schedule = schedule, .policy = make_policy("golden")});
    ADD_FAILURE() << "golden ran without the future";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("golden"), std::string::npos) << e.what();
  }
  auto future = std::make_shared<const FutureAttention>(
      record_future_attention(*model, test::pattern_tokens(40, c.vocab), 16));
  EXPECT_THROW(
      Sequence(c, {.schedule = schedule, .policy = make_policy("golden"), .future = future}),
      Error);  // L = 16, not 8
  // Positions beyond the recorded trace cannot be scored.
  auto short_future = std::make_shared<const FutureAttention>(
      record_future_attention(*model, test::pattern_tokens(40, c.vocab), 8));
  Sequence seq(c, {.schedule = schedule, .policy = make_policy("golden"), .future = short_future});
  EXPECT_THROW(forward_tokens(*model, seq, test::pattern_tokens(80, c.vocab), LogitsWanted::Last),
               Error);
}

TEST_F(GoldenTest, ScoreRunsGoldenAndGenerationRefusesIt) {
  {
    std::ofstream out(dir / "t.jsonl");
    for (int i = 0; i < 3; ++i)
      out << Json{{"ids", test::pattern_tokens(70 + 9 * i, config().vocab, i)}, {"prompt_len", 5}}
                 .dump()
          << "\n";
  }
  const std::string model_dir = dir.path().string();
  const auto r = test::run_command(
      test::cli() + " score --model " + model_dir + " --traces " + (dir / "t.jsonl").string() +
      " --policy full,golden,h2o --budget 24,32 --evict-every 8 --json " +
      (dir / "s.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| golden | 24 | 8 |"), std::string::npos) << r.output;
  const Json s = read_json_file(dir / "s.json");
  ASSERT_EQ(s["summary"].size(), 5u);
  EXPECT_EQ(s["summary"][0]["loss_ratio"], 1.0);
  EXPECT_EQ(s["traces"][2]["runs"]["golden@32"]["ce"].size(), 70u + 18u - 5u);

  // The same replay in the library gives the same losses.
  const Trace t{"", "all", test::pattern_tokens(79, config().vocab, 1), 5, {}, {}};
  auto future = std::make_shared<const FutureAttention>(record_future_attention(*model, t.ids, 8));
  Sequence seq(config(), {.schedule = EvictionSchedule{24, 8, 0},
                          .policy = make_policy("golden"),
                          .seed = 1,
                          .future = future});
  const TokenLosses losses = teacher_forced_losses(*model, seq, t.ids);
  const auto& ce = s["traces"][1]["runs"]["golden@24"]["ce"];
  for (size_t i = 0; i < ce.size(); ++i) EXPECT_FLOAT_EQ(ce[i].get<float>(), losses.ce[i + 5]);
  // --json counts what every budgeted policy's evictions take from the future: golden, which
  // evicts the least future attention at each step, loses less per decision than h2o.
  const Json& golden24 = s["summary"][1];
  const Json& h2o24 = s["summary"][3];
  ASSERT_EQ(golden24["policy"], "golden");
  ASSERT_EQ(h2o24["policy"], "h2o");
  EXPECT_GT(golden24["decisions"].get<int64_t>(), 0);
  EXPECT_EQ(s["summary"][0]["decisions"], 0);  // the full cache evicts nothing
  EXPECT_GT(h2o24["evicted_attention_per_decision"].get<double>(),
            golden24["evicted_attention_per_decision"].get<double>());
  EXPECT_GE(h2o24["harmful_per_decision"].get<double>(),
            golden24["harmful_per_decision"].get<double>());

  const auto gen = test::run_command(test::cli() + " generate --model " + model_dir +
                                     " --prompt hi --policy golden --budget 24 --evict-every 8");
  EXPECT_NE(gen.exit_code, 0);
  EXPECT_NE(gen.output.find("golden"), std::string::npos) << gen.output;
  std::ofstream(dir / "d.jsonl") << R"({"id": "a", "prompt": "hi", "answer": "1"})"
                                    "\n";
  const auto eval = test::run_command(test::cli() + " eval --model " + model_dir + " --dataset " +
                                      (dir / "d.jsonl").string() +
                                      " --policies golden --budgets 24 --evict-every 8");
  EXPECT_NE(eval.exit_code, 0);
  EXPECT_NE(eval.output.find("golden"), std::string::npos) << eval.output;
}

}  // namespace
}  // namespace foresight
