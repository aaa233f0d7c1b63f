// Training a model for eviction: a share of the examples is read through the cache that the
// `live` policy would leave. Every `every` tokens the cache keeps the task's causal live set
// (tasks/task_registry.hpp: live_set) and the last `window` tokens; a key dropped there stays
// hidden from every later query. A model trained only on full caches copies what it needs
// from whichever copy is nearest (a table entry from its last visit in the trace, not from
// the prompt), so any eviction breaks it; trained this way, it learns to solve the task from
// what a causal solver holds.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace foresight {

struct LiveMaskSettings {
  double share = 0;  // of the examples, chosen per example from the seed; 0: none
  int64_t window = 64;
  int64_t every = 32;
};

// For a byte-level text (one token a character), each key's first query position that no
// longer sees it (Batch::visible_until), INT32_MAX where none. Errors name `where` when the
// text is no task's (live_set).
std::vector<int32_t> live_mask_limits(std::string_view text, const LiveMaskSettings& settings);

// Whether example `index` is read through the live mask.
bool live_masked(const LiveMaskSettings& settings, uint64_t seed, int64_t index);

}  // namespace foresight
