// Each policy's scores against small examples worked out by hand.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "kv/attention_stats.hpp"
#include "kv/kv_cache.hpp"
#include "policy/policy.hpp"
#include "tasks/task_registry.hpp"

namespace foresight {
namespace {

// One layer, one KV head with a group of `group` query heads, head_dim 2.
struct Example {
  explicit Example(int group, int stat_slots) : group(group), cache(1, 1, 2, stat_slots) {}
  void add(float k0, float k1) {
    const float key[2] = {k0, k1}, value[2] = {0, 0};
    cache.head(0, 0).append(key, value, cache.head(0, 0).count());
  }
  float& stat(int entry, int slot, Stat s) {
    HeadCache& h = cache.head(0, 0);
    return h.stats()[h.stats_stride() * entry + kNumStats * slot + s];
  }
  std::vector<float> scores(const std::string& policy) {
    EvictionView v;
    v.tokens = tokens;
    v.n_kv_heads = 1, v.head_dim = 2, v.group = group;
    v.first = 0, v.n = cache.head(0, 0).count();
    v.cache = &cache;
    v.recent_queries = queries.empty() ? nullptr : queries.data();
    v.n_recent_queries = int(queries.size()) / (2 * group);
    std::vector<float> out(v.n);
    make_policy(policy)->score(v, out);
    return out;
  }
  int group;
  KvCache cache;
  std::vector<float> queries;   // [n_recent, group, 2]
  std::vector<int32_t> tokens;  // the text, for live
};

TEST(PolicyScores, H2oSumsAccumulatedAttentionOverTheGroup) {
  Example e(2, 2);
  for (int i = 0; i < 3; ++i) e.add(1, 0);
  const float cum[3][2] = {{0.5f, 0.25f}, {2.0f, 0.0f}, {0.1f, 0.1f}};
  for (int i = 0; i < 3; ++i)
    for (int s = 0; s < 2; ++s) e.stat(i, s, kStatCum) = cum[i][s];
  const auto s = e.scores("h2o");
  EXPECT_FLOAT_EQ(s[0], 0.75f);
  EXPECT_FLOAT_EQ(s[1], 2.0f);
  EXPECT_FLOAT_EQ(s[2], 0.2f);
}

TEST(PolicyScores, TovaAveragesTheLastQueryOverTheGroup) {
  Example e(2, 2);
  for (int i = 0; i < 2; ++i) e.add(1, 0);
  e.stat(0, 0, kStatLastQuery) = 0.2f, e.stat(0, 1, kStatLastQuery) = 0.6f;
  e.stat(1, 0, kStatLastQuery) = 0.8f, e.stat(1, 1, kStatLastQuery) = 0.0f;
  const auto s = e.scores("tova");
  EXPECT_FLOAT_EQ(s[0], 0.4f);
  EXPECT_FLOAT_EQ(s[1], 0.4f);
}

// Live ranks the task's live set first, then the rest by recency; a special token (id 256 on,
// here a leading BOS) counts as live and takes no place in the text.
TEST(PolicyScores, LiveKeepsTheTasksLiveSetThenTheRecent) {
  const TaskProblem p = make_task_problems("lemmas", 1, 3)[0];
  const std::string text = p.prompt + p.trace.substr(0, 1500);
  Example e(1, 0);
  e.tokens.push_back(256);
  for (const char ch : text) e.tokens.push_back(static_cast<unsigned char>(ch));
  for (size_t i = 0; i < e.tokens.size(); ++i) e.add(1, 0);
  const auto s = e.scores("live");
  const std::vector<char> live = live_set(text);
  ASSERT_EQ(s.size(), text.size() + 1);
  float lowest_live = s[0], highest_dead = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (live[i]) lowest_live = std::min(lowest_live, s[i + 1]);
    else highest_dead = std::max(highest_dead, s[i + 1]);
    if (i > 0 && live[i] == live[i - 1]) {
      EXPECT_GT(s[i + 1], s[i]) << "recency within a class";
    }
  }
  EXPECT_GT(lowest_live, highest_dead);
  EXPECT_GT(std::count(live.begin(), live.end(), 0), 1000);
  Example other(1, 0);  // text that is no task problem
  for (const char ch : std::string("hello\nworld")) {
    other.tokens.push_back(ch);
    other.add(1, 0);
  }
  EXPECT_THROW(other.scores("live"), Error);
}

TEST(PolicyScores, StreamingPrefersRecentPositions) {
  Example e(1, 0);
  for (int i = 0; i < 4; ++i) e.add(1, 0);
  EXPECT_EQ(e.scores("streaming"), (std::vector<float>{0, 1, 2, 3}));
}

TEST(PolicyScores, SnapKvTakesTheGroupMaxThenPoolsOverSevenPositions) {
  // Twelve candidates; candidate 5's key answers query head 0, candidate 9's query head 1,
  // with logits so large that each softmax is one-hot. Max over the group leaves two equal
  // spikes (0.5 each), mean over the two recent queries keeps them, pooling spreads them +-3.
  Example e(2, 0);
  for (int i = 0; i < 12; ++i) e.add(i == 5 ? 100.0f : 0.0f, i == 9 ? 100.0f : 0.0f);
  e.queries = {1, 0, 0, 1, 1, 0, 0, 1};
  const auto s = e.scores("snapkv");
  for (int c = 0; c < 12; ++c) EXPECT_NEAR(s[c], c >= 2 ? 0.5f : 0.0f, 1e-6) << c;
}

TEST(PolicyScores, RkvSubtractsRedundancyWithTheNearDuplicateExempted) {
  // Keys: k0 = k1 (duplicates), k2 orthogonal, k3 = -k0. Cosine rows with the diagonal zeroed:
  // row 0 [0 1 0 -1], row 1 [1 0 0 -1], row 2 [0 0 0 0], row 3 [-1 -1 0 0]. Rows 0 and 1 exempt
  // their most recent duplicate (columns 1 and 0), so the column means are
  // [-0.25, -0.25, 0, -0.5]. A zero query makes SnapKV uniform: 1/4 for each.
  Example e(1, 0);
  e.add(1, 0), e.add(1, 0), e.add(0, 1), e.add(-1, 0);
  e.queries = {0, 0};
  const double mean[4] = {-0.25, -0.25, 0, -0.5};
  double z = 0;
  for (double m : mean) z += std::exp(m);
  const auto s = e.scores("rkv");
  for (int c = 0; c < 4; ++c)
    EXPECT_NEAR(s[c], 0.1 * 0.25 - 0.9 * std::exp(mean[c]) / z, 1e-6) << c;
}

TEST(AttentionStats, ChannelsFollowTheChunk) {
  // A chunk of 40 queries over one entry with probability p_i = (i + 1) / 100.
  float s[kNumStats] = {};
  reset_chunk_stats(s);
  const StatMask all = ~StatMask{0};
  for (int i = 0; i < 40; ++i) {
    const float p = float(i + 1) / 100;
    accumulate_stats(s, kNumStats, &p, 1, i, 40, all);
  }
  end_chunk_stats(s);
  auto sum_range = [](int from, int to) {  // sum of (i + 1) / 100 for i in [from, to)
    double t = 0;
    for (int i = from; i < to; ++i) t += (i + 1) / 100.0;
    return t;
  };
  EXPECT_FLOAT_EQ(s[kStatMax], 0.40f);
  EXPECT_FLOAT_EQ(s[kStatMin], 0.01f);
  EXPECT_NEAR(s[kStatSum], sum_range(0, 40), 1e-5);
  EXPECT_NEAR(s[kStatLast8], sum_range(32, 40), 1e-5);
  EXPECT_NEAR(s[kStatLast16], sum_range(24, 40), 1e-5);
  EXPECT_NEAR(s[kStatLast32], sum_range(8, 40), 1e-5);
  EXPECT_FLOAT_EQ(s[kStatLastQuery], 0.40f);
  EXPECT_NEAR(s[kStatCum], sum_range(0, 40), 1e-5);
  EXPECT_NEAR(s[kStatCumDecay], sum_range(0, 40), 1e-5);

  // A second chunk: the per-chunk channels restart, the cumulative ones carry on.
  reset_chunk_stats(s);
  const float p = 0.5f;
  for (int i = 0; i < 40; ++i) accumulate_stats(s, kNumStats, &p, 1, i, 40, all);
  end_chunk_stats(s);
  EXPECT_FLOAT_EQ(s[kStatMin], 0.5f);
  EXPECT_NEAR(s[kStatSum], 20.0, 1e-5);
  EXPECT_NEAR(s[kStatCum], sum_range(0, 40) + 20.0, 1e-4);
  EXPECT_NEAR(s[kStatCumDecay], 0.9 * sum_range(0, 40) + 20.0, 1e-4);
}

TEST(AttentionStats, OnlyRequestedChannelsAreComputed) {
  float s[kNumStats] = {};
  reset_chunk_stats(s);
  const float p = 0.3f;
  accumulate_stats(s, kNumStats, &p, 1, 39, 40, stat_bit(kStatLastQuery));
  EXPECT_FLOAT_EQ(s[kStatLastQuery], 0.3f);
  EXPECT_FLOAT_EQ(s[kStatSum], 0.0f);
  EXPECT_FLOAT_EQ(s[kStatMax], 0.0f);
}

}  // namespace
}  // namespace foresight
