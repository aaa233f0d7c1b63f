// The forward pass over a chunk of tokens: the one path through the model that prefill,
// decoding (alone or batched) and teacher-forced replay all take. A sequence carries its KV
// cache and the position of its next token.
#pragma once
#include <functional>
#include <span>
#include <vector>

#include "engine/sequence.hpp"
#include "model/model.hpp"

namespace foresight {

enum class LogitsWanted { Last, All };

// Runs `ids` through the model at positions next_position.. and appends their keys and
// values to the sequence's cache; when the last of them completes a chunk of the schedule,
// each layer evicts down to the budget. Under an active schedule the ids must not cross a
// chunk boundary (forward_tokens splits them). Returns the logits of the last token ([vocab])
// or of every token ([ids.size(), vocab]).
std::vector<float> forward_chunk(const Model& model, Sequence& sequence,
                                 std::span<const int32_t> ids, LogitsWanted wanted);

// Batched decoding: one token for each of several distinct sequences, ids[i] to *sequences[i],
// in one pass whose weight products take all of them as rows. Each sequence gets bit for bit
// the logits forward_chunk would give it alone. Returns [sequences.size(), vocab].
std::vector<float> forward_batch(const Model& model, std::span<Sequence* const> sequences,
                                 std::span<const int32_t> ids);

// Any number of tokens, cut at the schedule's chunk boundaries (also for the full cache) and
// at most max_chunk at a time (bounding activation memory), through forward_chunk.
std::vector<float> forward_tokens(const Model& model, Sequence& sequence,
                                  std::span<const int32_t> ids, LogitsWanted wanted,
                                  int max_chunk = 512);

// The same, handing each piece's logits to `on_logits` with the index of its first token
// instead of keeping them all, so memory does not grow with the number of tokens (long traces
// under a large vocabulary). Under LogitsWanted::Last it is called once, for the last token.
using LogitsCallback = std::function<void(size_t first_token, std::span<const float> logits)>;
void forward_tokens(const Model& model, Sequence& sequence, std::span<const int32_t> ids,
                    LogitsWanted wanted, const LogitsCallback& on_logits, int max_chunk = 512);

}  // namespace foresight
