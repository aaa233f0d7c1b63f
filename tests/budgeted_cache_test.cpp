// The budgeted cache under every policy: the schedule's invariants on a real forward pass.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "engine/transformer.hpp"
#include "eval/policy_grid.hpp"
#include "judge/judge_file.hpp"
#include "model/random_model.hpp"
#include "tasks/task_registry.hpp"
#include "test_util.hpp"
#include "train/golden.hpp"

namespace foresight {
namespace {

// The start of a problem's text as byte tokens: text live can read, and ids any policy takes.
std::vector<int32_t> task_tokens(size_t n) {
  const TaskProblem p = make_task_problems("lemmas", 1, 8)[0];
  std::vector<int32_t> ids;
  for (const char ch : (p.prompt + p.trace).substr(0, n))
    ids.push_back(static_cast<unsigned char>(ch));
  return ids;
}

class BudgetedCacheTest : public test::TinyModelTest {
 protected:
  // A sequence under every registered policy but the full cache, each with what it needs:
  // a random judge for foresight, the future of `ids` recorded with blocks of L for golden.
  std::vector<std::pair<std::string, Sequence>> every_policy(EvictionSchedule schedule,
                                                             std::span<const int32_t> ids,
                                                             uint64_t seed) {
    const ModelConfig& c = model->config();
    const std::string judge = (dir / "judge.safetensors").string();
    write_judge(judge, Judge::random(JudgeShape::of(c), 1));
    std::vector<std::pair<std::string, Sequence>> out;
    for (const std::string_view name : policy_names()) {
      std::shared_ptr<const Policy> policy =
          make_policy(name, PolicyOptions{{judge}, "sample", &c});
      if (!policy) continue;
      std::shared_ptr<const FutureAttention> future;
      if (policy->needs_future())
        future = std::make_shared<const FutureAttention>(
            record_future_attention(*model, ids, schedule.evict_every));
      EvictionSchedule s = schedule;
      s.sinks = default_sinks(policy.get());
      out.emplace_back(
          std::string(name),
          Sequence(c, {.schedule = s, .policy = policy, .seed = seed, .future = future}));
    }
    EXPECT_EQ(out.size(), policy_names().size() - 1);
    return out;
  }
};

TEST_F(BudgetedCacheTest, BudgetAboveTheLengthReproducesTheFullCacheExactly) {
  const auto ids = task_tokens(70);
  EvictionSchedule schedule{.budget = 128, .evict_every = 16, .sinks = 0};
  Sequence full(model->config(), {.schedule = schedule});
  const auto expected = forward_tokens(*model, full, ids, LogitsWanted::All);
  for (auto& [name, seq] : every_policy(schedule, ids, 0)) {
    EXPECT_EQ(forward_tokens(*model, seq, ids, LogitsWanted::All), expected) << name;
    EXPECT_EQ(seq.stats().evictions, 0) << name;
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
  Sequence seq(model->config(), {.schedule = schedule, .policy = make_policy("live")});
  forward_tokens(*model, seq, ids, LogitsWanted::Last);
  ASSERT_EQ(seq.tokens(), ids);
  const size_t last_eviction = ids.size() / 16 * 16;
  const std::vector<char> live = live_set(std::string_view(text).substr(0, last_eviction));
  for (int layer = 0; layer < model->config().n_layers; ++layer)
    for (int h = 0; h < model->config().n_kv_heads; ++h) {
      const auto pos = seq.cache().head(layer, h).positions();
      const std::set<int32_t> kept(pos.begin(), pos.end());
      for (size_t i = 0; i < live.size(); ++i)
        if (live[i]) {
          ASSERT_TRUE(kept.count(int32_t(i))) << "lost live position " << i;
        }
      EXPECT_TRUE(kept.count(int32_t(last_eviction) - 17)) << "the most recent fill the rest";
    }
  EXPECT_GT(seq.stats().evictions, 0);
}

TEST_F(BudgetedCacheTest, EvictionKeepsExactlyTheBudgetAndTheProtectedEntries) {
  const ModelConfig& c = model->config();
  const auto ids = task_tokens(100);
  for (auto& [name, seq] : every_policy(EvictionSchedule{.budget = 28, .evict_every = 8}, ids, 5)) {
    const EvictionSchedule& schedule = seq.settings().schedule;
    for (size_t i = 0; i < ids.size(); ++i) {
      forward_chunk(*model, seq, std::span(ids).subspan(i, 1), LogitsWanted::Last);
      const int64_t seen = int64_t(i) + 1;
      for (int layer = 0; layer < c.n_layers; ++layer) {
        for (int h = 0; h < c.n_kv_heads; ++h) {
          const HeadCache& head = seq.cache().head(layer, h);
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
            ASSERT_TRUE(std::binary_search(pos.begin(), pos.end(), int32_t(p)))
                << name << " lost " << p;
        }
      }
    }
    EXPECT_GT(seq.stats().evictions, 0) << name;
    // Reported bytes are entries x 2 x head_dim x 4.
    EXPECT_EQ(seq.cache().bytes(), seq.cache().entries() * 2 * c.head_dim * 4);
  }
}

TEST_F(BudgetedCacheTest, HeadsKeepDifferentPositions) {
  const ModelConfig& c = model->config();
  EvictionSchedule schedule{.budget = 16, .evict_every = 8};
  Sequence seq(c, {.schedule = schedule, .policy = make_policy("h2o")});
  forward_tokens(*model, seq, test::pattern_tokens(64, c.vocab), LogitsWanted::Last);
  bool differ = false;
  for (int layer = 0; layer < c.n_layers; ++layer) {
    auto a = seq.cache().head(layer, 0).positions(), b = seq.cache().head(layer, 1).positions();
    differ |= !std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  EXPECT_TRUE(differ);
}

TEST_F(BudgetedCacheTest, PrefillInChunksEqualsDecodingTokenByToken) {
  const ModelConfig& c = model->config();
  EvictionSchedule schedule{.budget = 24, .evict_every = 8};
  const auto ids = test::pattern_tokens(60, c.vocab);
  Sequence chunked(c, {.schedule = schedule, .policy = make_policy("h2o")}),
      stepwise(c, {.schedule = schedule, .policy = make_policy("h2o")});
  const auto expected = forward_tokens(*model, chunked, ids, LogitsWanted::Last);
  std::vector<float> last;
  for (int32_t id : ids)
    last = forward_chunk(*model, stepwise, std::span(&id, 1), LogitsWanted::Last);
  for (size_t i = 0; i < last.size(); ++i) ASSERT_NEAR(last[i], expected[i], 1e-4);
  for (int h = 0; h < c.n_kv_heads; ++h) {
    auto a = chunked.cache().head(1, h).positions(), b = stepwise.cache().head(1, h).positions();
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
}

TEST_F(BudgetedCacheTest, ChunksMayNotCrossABoundary) {
  EvictionSchedule schedule{.budget = 16, .evict_every = 8};
  Sequence seq(model->config(), {.schedule = schedule, .policy = make_policy("tova")});
  EXPECT_THROW(forward_chunk(*model, seq, test::pattern_tokens(10, 200), LogitsWanted::Last),
               Error);
}

TEST_F(BudgetedCacheTest, PromptSinksKeepEveryPromptTokenAsFarAsTheBudgetAllows) {
  const ModelConfig& c = model->config();
  const auto ids = test::pattern_tokens(120, c.vocab, 4);
  for (const int prompt : {10, 30}) {  // B - L = 16: the 30-token prompt keeps its first 16
    EvictionSchedule schedule{.budget = 24, .evict_every = 8, .sinks = 0};
    schedule.set_sinks("prompt", 0);
    Sequence seq(c, {.schedule = schedule, .policy = make_policy("tova"), .prompt_length = prompt});
    forward_tokens(*model, seq, ids, LogitsWanted::Last);
    EXPECT_GT(seq.stats().evictions, 0);
    const int kept = std::min(prompt, 16);
    for (int layer = 0; layer < c.n_layers; ++layer)
      for (int h = 0; h < c.n_kv_heads; ++h) {
        const auto positions = seq.cache().head(layer, h).positions();
        for (int p = 0; p < kept; ++p)
          ASSERT_EQ(positions[p], p) << prompt << " " << layer << " " << h;
      }
    // Without the prompt protected, TOVA keeps some of those positions but not all.
    Sequence plain(c, {.schedule = EvictionSchedule{24, 8, 0}, .policy = make_policy("tova")});
    forward_tokens(*model, plain, ids, LogitsWanted::Last);
    int missing = 0;
    for (int layer = 0; layer < c.n_layers; ++layer)
      for (int h = 0; h < c.n_kv_heads; ++h) {
        const auto positions = plain.cache().head(layer, h).positions();
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

TEST_F(BudgetedCacheTest, ARecentWindowKeepsTheNewestTokens) {
  const ModelConfig& c = model->config();
  const auto ids = test::pattern_tokens(120, c.vocab, 4);  // ends a chunk: an eviction last
  // The 12 newest entries of every head, with --recent 12 (or 50% of B = 24) and without.
  const auto newest_missing = [&](std::string_view recent) {
    EvictionSchedule schedule{.budget = 24, .evict_every = 8};
    schedule.set_recent(recent);
    Sequence seq(c, {.schedule = schedule, .policy = make_policy("tova")});
    forward_tokens(*model, seq, ids, LogitsWanted::Last);
    EXPECT_GT(seq.stats().evictions, 0);
    int missing = 0;
    for (int layer = 0; layer < c.n_layers; ++layer)
      for (int h = 0; h < c.n_kv_heads; ++h) {
        const auto positions = seq.cache().head(layer, h).positions();
        EXPECT_EQ(positions.size(), 24u);
        for (int32_t p = 108; p < 120; ++p)
          missing += std::find(positions.begin(), positions.end(), p) == positions.end();
      }
    return missing;
  };
  EXPECT_EQ(newest_missing("12"), 0);
  EXPECT_EQ(newest_missing("50%"), 0);
  EXPECT_GT(newest_missing(""), 0);  // TOVA alone drops some of them

  // The window takes what the budget leaves beside the sinks, and never less than L.
  EvictionSchedule s{.budget = 24, .evict_every = 8};
  s.set_recent("100%");
  EXPECT_EQ(s.recent_for(10), 14);
  EXPECT_EQ(s.recent_name(), "100%");
  s.set_recent("3");
  EXPECT_EQ(s.recent_for(0), 8);
  EXPECT_EQ(s.recent_name(), "8");  // what is protected: L, not the 3 asked for
  s.set_recent("");
  EXPECT_EQ(s.recent_name(), "8");
  for (const char* bad : {"0%", "101%", "-3", "x", "5 ", "%"})
    EXPECT_THROW(s.set_recent(bad), Error) << bad;
}

TEST(Schedule, BadOptionsAreRefused) {
  EXPECT_THROW((EvictionSchedule{.budget = 4, .evict_every = 0}.validate()), Error);
  EXPECT_THROW((EvictionSchedule{.budget = 4, .evict_every = 4, .sinks = 4}.validate()), Error);
  EXPECT_THROW((EvictionSchedule{.budget = 100, .evict_every = 128}.validate()), Error);
  EXPECT_NO_THROW((EvictionSchedule{.budget = 132, .evict_every = 128, .sinks = 4}.validate()));
  EXPECT_THROW(make_policy("lru"), Error);
  EXPECT_EQ(make_policy("full"), nullptr);
}

// Parameters follow the name after a colon; errors name the spec, the parameter and the range.
TEST(Schedule, PolicyParametersAreSetFromTheSpec) {
  EXPECT_EQ(make_policy("snapkv")->recent_queries_needed(), 8);
  EXPECT_EQ(make_policy("snapkv:window=16,kernel=5")->recent_queries_needed(), 16);
  EXPECT_EQ(make_policy("rkv:window=4")->recent_queries_needed(), 4);
  EXPECT_EQ(make_policy("streaming")->default_sinks(), 4);
  EXPECT_EQ(make_policy("h2o")->default_sinks(), 0);
  const std::pair<std::string, std::string> bad[] = {
      {"rkv:lambda=2", "policy rkv:lambda=2: lambda takes 0..1, not 2"},
      {"snapkv:window=2.5", "window takes a whole number in 1..1024"},
      {"snapkv:window=x", "'x' is not a number for window"},
      {"h2o:window=4", "'window=4' is not a parameter of h2o (its parameters: none)"},
      {"snapkv:size=4", "(its parameters: window, kernel)"},
      {"full:x=1", "the full cache has no parameters"},
      {"snapkv:", "'' is not a parameter"}};
  for (const auto& [spec, message] : bad) {
    try {
      make_policy(spec);
      ADD_FAILURE() << spec;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
  // In a list, `param=value` pieces belong to the policy before them; +prompt ends the name.
  const auto runs = policy_grid("snapkv:window=4,kernel=3,h2o,snapkv+prompt:window=2", "40", 8, "");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].policy, "snapkv:window=4,kernel=3");
  EXPECT_EQ(runs[0].impl->recent_queries_needed(), 4);
  EXPECT_EQ(runs[1].policy, "h2o");
  EXPECT_EQ(runs[2].impl->recent_queries_needed(), 2);
  EXPECT_TRUE(runs[2].schedule.protect_prompt);
  EXPECT_FALSE(runs[0].schedule.protect_prompt);
  EXPECT_THROW(policy_grid("snapkv:window=4,snapkv:window=4", "40", 8, ""), Error);  // listed twice
}

TEST(Schedule, PoliciesCommandListsEveryPolicyAndItsParameters) {
  const auto r = test::run_command(test::cli() + " policies");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const std::string_view name : policy_names())
    EXPECT_NE(r.output.find(std::string(name) + " "), std::string::npos) << name;
  for (const char* param :
       {"window=8 (1..1024)", "kernel=7 (1..63)", "lambda=0.1 (0..1)", "threshold=0.5 (-1..1)"})
    EXPECT_NE(r.output.find(param), std::string::npos) << param << "\n" << r.output;
}

TEST(Schedule, CliRefusesBadOptions) {
  test::TempDir dir;
  write_random_model(dir.path(), RandomModelSpec{});
  const std::string gen =
      test::cli() + " generate --model " + dir.path().string() + " --prompt hi ";
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
