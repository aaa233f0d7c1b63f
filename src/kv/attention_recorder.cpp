#include "kv/attention_recorder.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace foresight {

AttentionRecorder::AttentionRecorder(const ModelConfig& c, int64_t n_tokens, int block)
    : n_heads_(c.n_heads),
      group_(c.group()),
      means_(c.n_layers, c.n_kv_heads, n_tokens, block),
      sums_(size_t(c.n_layers), std::vector<float>(size_t(c.n_heads) * size_t(n_tokens), 0.0f)) {}

void AttentionRecorder::add_query(int layer, int head, int64_t position, const float* probs,
                                  std::span<const int32_t> positions) {
  if (position >= means_.n_tokens()) return;  // end_queries refuses it (no throwing in here)
  float* sums = sums_[layer].data() + int64_t{head} * means_.n_tokens();
  for (size_t e = 0; e < positions.size(); ++e) sums[positions[e]] += probs[e];
}

void AttentionRecorder::end_queries(int layer, int64_t first_position, int n) {
  const int64_t L = means_.block(), last = first_position + n - 1, j = first_position / L;
  if (last >= means_.n_tokens())
    fail("attention recorder: query at position {} beyond the {} tokens it was made for", last,
         means_.n_tokens());
  if (last / L != j)
    fail("attention recorder: queries {}..{} cross a block boundary (L = {})", first_position, last,
         L);
  const int64_t end = std::min((j + 1) * L, means_.n_tokens());
  if (last + 1 != end) return;  // the block is still open
  // Mean over the block's queries and the group's query heads.
  const float scale = 1.0f / float(int64_t{group_} * (end - j * L));
  const int64_t T = means_.n_tokens();
  float* sums = sums_[layer].data();
  for (int h = 0; h < means_.n_kv_heads(); ++h)
    for (int64_t key = 0; key < end; ++key) {
      float total = 0;
      for (int s = 0; s < group_; ++s) total += sums[(int64_t{h} * group_ + s) * T + key];
      means_.at(layer, h, key, j) = total * scale;
    }
  for (int head = 0; head < n_heads_; ++head)
    std::fill(sums + int64_t{head} * T, sums + int64_t{head} * T + end, 0.0f);
}

}  // namespace foresight
