// SnapKV's score, shared with R-KV, which builds on it.
#pragma once
#include <span>

#include "policy/policy.hpp"

namespace foresight {

// The last queries' attention logits over the candidates, max over the group, softmax over
// the candidates, mean over the queries, then max-pooled along positions (kernel 7).
void snapkv_scores(const EvictionView& v, std::span<float> scores);

constexpr int kSnapKvWindow = 8;

}  // namespace foresight
