// The budgeted cache under every policy: the schedule's invariants on a real forward pass.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "model/random_model.hpp"
#include "model/transformer.hpp"
#include "tasks/task_registry.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

const std::vector<std::string> kPolicies = {"random", "streaming", "h2o", "tova", "snapkv", "rkv"};

using BudgetedCacheTest = test::TinyModelTest;

TEST_F(BudgetedCacheTest, BudgetAboveTheLengthReproducesTheFullCacheExactly) {
  const auto ids = test::pattern_tokens(70, model->config().vocab);
  EvictionSchedule schedule{.budget = 128, .evict_every = 16, .sinks = 0};
  Sequence full(model->config(), schedule, nullptr);
  const auto expected = forward_tokens(*model, full, ids, LogitsWanted::All);
  for (const auto& name : kPolicies) {
    Sequence seq(model->config(), schedule, make_policy(name));
    EXPECT_EQ(forward_tokens(*model, seq, ids, LogitsWanted::All), expected) << name;
    EXPECT_EQ(seq.evictions, 0) << name;
  }
}

// Live on a real forward pass over a problem's text: after the last eviction every head holds
// the live set of the text up to it (the tokens the pass recorded), then the most recent.
TEST_F(BudgetedCacheTest, LiveHoldsTheLiveSetOfTheTextSoFar) {
  const TaskProblem p = make_task_problems("lemmas", 1, 8)[0];
  const std::string text = p.prompt + p.trace.substr(0, 1800);
  std::vector<int32_t> ids;
  for (const char ch : text) ids.push_back(static_cast<unsigned char>(ch));
  EvictionSchedule schedule{.budget = 300, .evict_every = 16, .sinks = 0};
  Sequence seq(model->config(), schedule, make_policy("live"));
  forward_tokens(*model, seq, ids, LogitsWanted::Last);
  ASSERT_EQ(seq.tokens, ids);
  const size_t last_eviction = ids.size() / 16 * 16;
  const std::vector<char> live = live_set(std::string_view(text).substr(0, last_eviction));
  for (int layer = 0; layer < model->config().n_layers; ++layer)
    for (int h = 0; h < model->config().n_kv_heads; ++h) {
      const auto pos = seq.cache.head(layer, h).positions();
      const std::set<int32_t> kept(pos.begin(), pos.end());
      for (size_t i = 0; i < live.size(); ++i)
        if (live[i]) {
          ASSERT_TRUE(kept.count(int32_t(i))) << "lost live position " << i;
        }
      EXPECT_TRUE(kept.count(int32_t(last_eviction) - 17)) << "the most recent fill the rest";
    }
  EXPECT_GT(seq.evictions, 0);
}

TEST_F(BudgetedCacheTest, EvictionKeepsExactlyTheBudgetAndTheProtectedEntries) {
  const ModelConfig& c = model->config();
  for (const auto& name : kPolicies) {
    EvictionSchedule schedule{.budget = 24, .evict_every = 8, .sinks = default_sinks(name)};
    if (name == "streaming") schedule.budget = 28;
    Sequence seq(c, schedule, make_policy(name), 5);
    const auto ids = test::pattern_tokens(100, c.vocab);
    for (size_t i = 0; i < ids.size(); ++i) {
      forward_chunk(*model, seq, std::span(ids).subspan(i, 1), LogitsWanted::Last);
      const int64_t seen = int64_t(i) + 1;
      for (int layer = 0; layer < c.n_layers; ++layer) {
        for (int h = 0; h < c.n_kv_heads; ++h) {
          const HeadCache& head = seq.cache.head(layer, h);
          ASSERT_LE(head.capacity(), schedule.capacity()) << name;
          if (seen % schedule.evict_every == 0 && seen > schedule.budget) {
            ASSERT_EQ(head.count(), schedule.budget) << name << " after token " << seen;
          }
          auto pos = head.positions();
          ASSERT_TRUE(std::is_sorted(pos.begin(), pos.end())) << name;
          // The sinks survive, and so does everything since the start of the last completed
          // chunk: its L tokens were protected at the last eviction and none has run since.
          for (int s = 0; s < std::min<int64_t>(schedule.sinks, seen); ++s) ASSERT_EQ(pos[s], s);
          const int64_t L = schedule.evict_every;
          const int64_t newest = std::max<int64_t>(0, seen / L * L - L);
          for (int64_t p = newest; p < seen; ++p)
            ASSERT_TRUE(std::binary_search(pos.begin(), pos.end(), int32_t(p))) << name << " lost " << p;
        }
      }
    }
    EXPECT_GT(seq.evictions, 0) << name;
    // Reported bytes are entries x 2 x head_dim x 4.
    EXPECT_EQ(seq.cache.bytes(), seq.cache.entries() * 2 * c.head_dim * 4);
  }
}

TEST_F(BudgetedCacheTest, HeadsKeepDifferentPositions) {
  const ModelConfig& c = model->config();
  EvictionSchedule schedule{.budget = 16, .evict_every = 8};
  Sequence seq(c, schedule, make_policy("h2o"));
  forward_tokens(*model, seq, test::pattern_tokens(64, c.vocab), LogitsWanted::Last);
  bool differ = false;
  for (int layer = 0; layer < c.n_layers; ++layer) {
    auto a = seq.cache.head(layer, 0).positions(), b = seq.cache.head(layer, 1).positions();
    differ |= !std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  EXPECT_TRUE(differ);
}

TEST_F(BudgetedCacheTest, PrefillInChunksEqualsDecodingTokenByToken) {
  const ModelConfig& c = model->config();
  EvictionSchedule schedule{.budget = 24, .evict_every = 8};
  const auto ids = test::pattern_tokens(60, c.vocab);
  Sequence chunked(c, schedule, make_policy("h2o")), stepwise(c, schedule, make_policy("h2o"));
  const auto expected = forward_tokens(*model, chunked, ids, LogitsWanted::Last);
  std::vector<float> last;
  for (int32_t id : ids) last = forward_chunk(*model, stepwise, std::span(&id, 1), LogitsWanted::Last);
  for (size_t i = 0; i < last.size(); ++i) ASSERT_NEAR(last[i], expected[i], 1e-4);
  for (int h = 0; h < c.n_kv_heads; ++h) {
    auto a = chunked.cache.head(1, h).positions(), b = stepwise.cache.head(1, h).positions();
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
}

TEST_F(BudgetedCacheTest, ChunksMayNotCrossABoundary) {
  EvictionSchedule schedule{.budget = 16, .evict_every = 8};
  Sequence seq(model->config(), schedule, make_policy("tova"));
  EXPECT_THROW(forward_chunk(*model, seq, test::pattern_tokens(10, 200), LogitsWanted::Last), Error);
}

TEST_F(BudgetedCacheTest, PromptSinksKeepEveryPromptTokenAsFarAsTheBudgetAllows) {
  const ModelConfig& c = model->config();
  const auto ids = test::pattern_tokens(120, c.vocab, 4);
  for (const int prompt : {10, 30}) {  // B - L = 16: the 30-token prompt keeps its first 16
    EvictionSchedule schedule{.budget = 24, .evict_every = 8, .sinks = 0};
    schedule.set_sinks("prompt", 0);
    Sequence seq(c, schedule, make_policy("tova"));
    seq.prompt_length = prompt;
    forward_tokens(*model, seq, ids, LogitsWanted::Last);
    EXPECT_GT(seq.evictions, 0);
    const int kept = std::min(prompt, 16);
    for (int layer = 0; layer < c.n_layers; ++layer)
      for (int h = 0; h < c.n_kv_heads; ++h) {
        const auto positions = seq.cache.head(layer, h).positions();
        for (int p = 0; p < kept; ++p) ASSERT_EQ(positions[p], p) << prompt << " " << layer << " " << h;
      }
    // Without the prompt protected, TOVA keeps some of those positions but not all.
    Sequence plain(c, EvictionSchedule{24, 8, 0}, make_policy("tova"));
    forward_tokens(*model, plain, ids, LogitsWanted::Last);
    int missing = 0;
    for (int layer = 0; layer < c.n_layers; ++layer)
      for (int h = 0; h < c.n_kv_heads; ++h) {
        const auto positions = plain.cache.head(layer, h).positions();
        for (int p = 0; p < kept; ++p)
          missing += std::find(positions.begin(), positions.end(), p) == positions.end();
      }
    EXPECT_GT(missing, 0) << prompt;
  }
  EvictionSchedule tight{.budget = 8, .evict_every = 8, .sinks = 0};
  tight.set_sinks("prompt", 0);
  EXPECT_THROW(tight.validate(), Error);  // no room for a single prompt token
  EXPECT_THROW(tight.set_sinks("all", 0), Error);
  EXPECT_THROW(tight.set_sinks("-1", 0), Error);
  tight.set_sinks("", 4);
  EXPECT_EQ(tight.sinks, 4);
  EXPECT_FALSE(tight.protect_prompt);
}

TEST(Schedule, BadOptionsAreRefused) {
  EXPECT_THROW((EvictionSchedule{.budget = 4, .evict_every = 0}.validate()), Error);
  EXPECT_THROW((EvictionSchedule{.budget = 4, .evict_every = 4, .sinks = 4}.validate()), Error);
  EXPECT_THROW((EvictionSchedule{.budget = 100, .evict_every = 128}.validate()), Error);
  EXPECT_NO_THROW((EvictionSchedule{.budget = 132, .evict_every = 128, .sinks = 4}.validate()));
  EXPECT_THROW(make_policy("lru"), Error);
  EXPECT_EQ(make_policy("full"), nullptr);
}

TEST(Schedule, CliRefusesBadOptions) {
  test::TempDir dir;
  write_random_model(dir.path(), RandomModelSpec{});
  const std::string gen = test::cli() + " generate --model " + dir.path().string() + " --prompt hi ";
  const std::pair<std::string, std::string> cases[] = {
      {"--policy h2o --budget 8 --evict-every 16", "--budget"},
      {"--policy h2o --budget abc", "--budget"},
      {"--policy lru --budget 64", "--policy"},
      {"--policy h2o --budget 64 --evict-every 0", "--evict-every"},
      {"--policy h2o", "--budget"}};
  for (const auto& [args, option] : cases) {
    const auto r = test::run_command(gen + args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.output.find(option), std::string::npos) << args << ": " << r.output;
  }
}

}  // namespace
}  // namespace foresight
