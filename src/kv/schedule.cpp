#include "kv/schedule.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace foresight {

int64_t EvictionSchedule::entries_before(int64_t position) const {
  if (!active()) return position;
  return std::min<int64_t>(position / evict_every * evict_every, budget) + position % evict_every;
}

void EvictionSchedule::validate() const {
  if (evict_every < 1) fail("--evict-every must be >= 1, got {}", evict_every);
  if (sinks < 0) fail("--sinks must be >= 0, got {}", sinks);
  if (budget < 0) fail("--budget must be >= 0, got {}", budget);
  // After an eviction the L newest entries and the sinks are all still there, so B must
  // hold them (L >= 1 also leaves a slot beyond the sinks).
  if (active() && budget < evict_every + sinks)
    fail("--budget {} cannot hold the protected window: the {} newest tokens (--evict-every) "
         "plus {} sinks need a budget of at least {}",
         budget, evict_every, sinks, evict_every + sinks);
}

}  // namespace foresight
