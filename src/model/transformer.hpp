// The forward pass over a chunk of tokens: the one path through the model that prefill,
// decoding and teacher-forced replay all take. A sequence carries its KV cache and the
// position of its next token.
#pragma once
#include <span>
#include <vector>

#include "kv/kv_cache.hpp"
#include "model/model.hpp"

namespace foresight {

struct Sequence {
  explicit Sequence(const ModelConfig& c) : cache(c.n_layers, c.n_kv_heads, c.head_dim) {}
  KvCache cache;
  int64_t next_position = 0;
};

enum class LogitsWanted { Last, All };

// Runs `ids` through the model at positions next_position.. and appends their keys and
// values to the sequence's cache. Returns the logits of the last token ([vocab]) or of every
// token ([ids.size(), vocab]).
std::vector<float> forward_chunk(const Model& model, Sequence& sequence,
                                 std::span<const int32_t> ids, LogitsWanted wanted);

}  // namespace foresight
