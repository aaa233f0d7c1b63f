// SnapKV's score, shared with R-KV, which builds on it.
#pragma once
#include <span>

#include "policy/policy.hpp"

namespace foresight {

// SnapKV's hyper-parameters: the recent queries that vote (at most L of them: the schedule
// keeps only the chunk's) and the width of the max-pooling along positions.
struct SnapKvParams {
  double window = 8, kernel = 7;
  void add_to(std::vector<PolicyParam>& params) {
    params.push_back({"window", &window, 1, 1024, true, "recent queries that vote (at most L)"});
    params.push_back({"kernel", &kernel, 1, 63, true,
                      "max-pooling over positions c - kernel/2 .. c + kernel/2"});
  }
};

// One head: the recent queries' attention logits over the candidates, max over the group,
// softmax over the candidates, mean over the queries, then max-pooled over `kernel` positions.
void snapkv_scores(const EvictionView& v, int kv_head, int kernel, std::span<float> out);

}  // namespace foresight
