// The live mask that trains a model for eviction (lm/live_mask.hpp): what the queries of a
// masked example see, against the live sets it is built from.
#include <algorithm>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "lm/batch.hpp"
#include "lm/live_mask.hpp"
#include "tasks/task_registry.hpp"

namespace foresight {

// After each eviction the query there sees `budget` keys: every key live there that it saw
// before, while they fit, and then the most recent others. No key is hidden from its own query.
TEST(LiveMask, QueriesSeeWhatLiveKeepsAtTheBudget) {
  const int64_t every = 32;
  for (const char* family : {"program", "walk", "lemmas", "carry"})
    for (const int64_t budget : {100, 433}) {
      const TaskProblem p = make_task_problems(family, 1, 7)[0];
      const std::string text = p.prompt + p.trace;
      const std::vector<int32_t> until = live_mask_limits(text, budget, every);
      ASSERT_EQ(until.size(), text.size());
      for (size_t j = 0; j < text.size(); ++j) EXPECT_GT(until[j], int64_t(j)) << family << j;
      for (int64_t cut = budget / every * every + every; cut < int64_t(text.size()); cut += every) {
        const std::vector<char> live = live_set(std::string_view(text).substr(0, size_t(cut)));
        int64_t seen = 0, live_held = 0, live_seen = 0, newest_hidden = -1, oldest_seen = cut;
        for (int64_t j = 0; j < cut; ++j) {
          const bool held = until[size_t(j)] >= cut;  // seen by the query just before the cut
          const bool visible = until[size_t(j)] > cut;
          seen += visible;
          if (live[size_t(j)]) {
            live_held += held;
            live_seen += visible;
          } else if (visible) {
            oldest_seen = std::min(oldest_seen, j);
          } else if (until[size_t(j)] == cut) {
            newest_hidden = j;
          }
        }
        EXPECT_EQ(seen, budget) << family << " at " << cut;
        EXPECT_EQ(live_seen, std::min(live_held, budget)) << family << " at " << cut;
        if (live_seen < budget) EXPECT_LT(newest_hidden, oldest_seen) << family << " at " << cut;
      }
    }
}

TEST(LiveMask, DrawsTheShareOfExamplesAndTheirBudgetsFromTheSeed) {
  const LiveMaskSettings half{.share = 0.5, .min_budget = 200, .max_budget = 300};
  int masked = 0;
  for (int64_t i = 0; i < 1000; ++i) {
    const int64_t budget = live_mask_budget(half, 3, i);
    masked += budget > 0;
    if (budget > 0) {
      EXPECT_GE(budget, 200);
      EXPECT_LE(budget, 300);
    }
  }
  EXPECT_NEAR(masked, 500, 60);
  EXPECT_EQ(live_mask_budget(half, 3, 17), live_mask_budget(half, 3, 17));
  EXPECT_EQ(live_mask_budget(LiveMaskSettings{}, 3, 17), 0);
  EXPECT_GT(live_mask_budget(LiveMaskSettings{.share = 1}, 3, 17), 0);
}

}  // namespace foresight
