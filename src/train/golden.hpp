// Golden Eviction (docs/method.md section 4): the oracle that labels which cache entries the rest
// of a trace will need, from a full-cache teacher-forced pass over it.
//
// The pass records S[key, j], each key's attention from block j of L queries (averaged over the
// block and the GQA group; kv/block_attention.hpp), through the attention kernel's recorder,
// and keeps its suffix maximum alpha[key, j] = max over j' >= j of S[key, j'].
//
// The schedule is docs/method.md section 1's: after chunk c (tokens [cL, (c+1)L)) is complete, a
// (layer, KV head) holding more than B entries scores its candidates (all but the sinks and
// the L newest) and evicts down to B. The oracle scores a candidate by alpha[key, c + 1]: the
// blocks j >= c + 1, exactly the queries at positions >= (c+1)L, which are all the queries that
// run after this eviction and so all it can affect. Block c itself already ran with the
// candidate present (counting it would reward past attention, as H2O does). After the last
// chunk no block is left, every alpha is 0, and ties go by age (the oldest go first), as in
// the cache. It evicts the count - B lowest alpha; every (layer, KV head) is independent.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "eval/fidelity.hpp"
#include "kv/block_attention.hpp"
#include "kv/schedule.hpp"
#include "model/model.hpp"

namespace foresight {

// One full-cache teacher-forced pass over `ids` with blocks of `evict_every` queries. With
// `full_losses` also returns the full-cache per-token losses of the same pass.
FutureAttention record_future_attention(const Model& model, std::span<const int32_t> ids,
                                        int evict_every, TokenLosses* full_losses = nullptr);

}  // namespace foresight
