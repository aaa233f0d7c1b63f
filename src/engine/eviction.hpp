// The eviction step: after a full chunk, every KV head of a layer holding more than B entries
// has its candidates scored by the policy, shown with the policy's choice to the sequence's
// observer, and is compacted to exactly B entries.
#pragma once
#include "engine/sequence.hpp"

namespace foresight {

// Evicts layer `layer` of `seq` down to the budget if it is over, counting what it removed in
// the sequence's stats (and, replaying a trace with its future attention, the harm done).
// `rope` is the model's, for policies that undo the keys' rotation.
void evict_layer(Sequence& seq, int layer, int group, const Rope& rope);

}  // namespace foresight
