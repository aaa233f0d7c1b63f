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
namespace {

// Every key a query sees at an eviction point is live there or among the last `window`; every
// key live there or that recent is seen; and no key is hidden from its own query.
TEST(LiveMask, QueriesSeeTheLiveSetAndTheRecentWindowOfTheLastEviction) {
  const LiveMaskSettings settings{.share = 1, .window = 48, .every = 32};
  for (const char* family : {"program", "walk", "lemmas", "carry"}) {
    const TaskProblem p = make_task_problems(family, 1, 7)[0];
    const std::string text = p.prompt + p.trace;
    const std::vector<int32_t> until = live_mask_limits(text, settings);
    ASSERT_EQ(until.size(), text.size());
    for (size_t j = 0; j < text.size(); ++j) EXPECT_GT(until[j], int64_t(j)) << family << j;
    int64_t most_seen = 0;
    for (int64_t cut = settings.every; cut < int64_t(text.size()); cut += settings.every) {
      const std::vector<char> live = live_set(std::string_view(text).substr(0, size_t(cut)));
      int64_t seen = 0;
      for (int64_t j = 0; j < cut; ++j) {
        const bool visible = until[size_t(j)] > cut;  // to the query at position `cut`
        seen += visible;
        if (live[size_t(j)] || cut - j < settings.window)
          EXPECT_TRUE(visible) << family << " key " << j << " at " << cut;
        // A key dropped at an earlier eviction stays dropped even if live again.
        else if (visible)
          ADD_FAILURE() << family << ": key " << j << " neither live nor recent at " << cut;
      }
      most_seen = std::max(most_seen, seen);
    }
    // The live set stays small (tasks_test.cpp pins it under 8% of the sequence).
    EXPECT_LE(most_seen, int64_t(0.08 * double(text.size())) + settings.window) << family;
  }
}

TEST(LiveMask, ChoosesTheShareOfExamplesFromTheSeed) {
  const LiveMaskSettings half{.share = 0.5};
  int masked = 0;
  for (int64_t i = 0; i < 1000; ++i) masked += live_masked(half, 3, i);
  EXPECT_NEAR(masked, 500, 60);
  EXPECT_EQ(live_masked(half, 3, 17), live_masked(half, 3, 17));
  EXPECT_FALSE(live_masked(LiveMaskSettings{}, 3, 17));
  EXPECT_TRUE(live_masked(LiveMaskSettings{.share = 1}, 3, 17));
}

}  // namespace
}  // namespace foresight
