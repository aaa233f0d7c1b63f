// Training a model for eviction: a share of the examples is read through the cache that the
// `live` policy would leave at a budget drawn per example. Every `every` tokens the cache
// keeps `budget` keys, the task's causal live set (tasks/task_registry.hpp: live_set) first
// and then the most recent, as `live` does; a key dropped there stays hidden from every later
// query. A model trained only on full caches copies what it needs from whichever copy is
// nearest (a table entry from its last visit in the trace, not from the prompt), so any
// eviction breaks it; a model trained on a single small window breaks under larger ones
// (it meets views it never saw); trained on budgets across the range it is used at, it
// learns to solve the task from what a causal solver holds.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace foresight {

struct LiveMaskSettings {
  double share = 0;  // of the examples, chosen per example from the seed; 0: none
  int64_t min_budget = 128, max_budget = 1024;  // drawn uniformly per example
  int64_t every = 32;
};

// For a byte-level text (one token a character), each key's first query position that no
// longer sees it (Batch::visible_until), INT32_MAX where none, under a cache of `budget` keys
// evicted every `every` tokens. live_set's errors when the text is no task's.
std::vector<int32_t> live_mask_limits(std::string_view text, int64_t budget, int64_t every);

// Example `index`'s budget when it is read through the live mask, else 0.
int64_t live_mask_budget(const LiveMaskSettings& settings, uint64_t seed, int64_t index);

}  // namespace foresight
