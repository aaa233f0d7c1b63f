#include "kv/block_attention.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace foresight {

BlockAttention::BlockAttention(int n_layers, int n_kv_heads, int64_t n_tokens, int block)
    : n_layers_(n_layers),
      n_kv_heads_(n_kv_heads),
      block_(block),
      n_tokens_(n_tokens),
      per_head_(0) {
  if (n_layers < 1 || n_kv_heads < 1 || n_tokens < 1 || block < 1)
    fail("block attention: bad sizes ({} layers, {} KV heads, {} tokens, block {})", n_layers,
         n_kv_heads, n_tokens, block);
  n_blocks_ = (n_tokens + block - 1) / block;
  per_head_ = offset(0, 0, n_tokens - 1) + 1;  // the last key's row holds the last block alone
  values_.assign(size_t(per_head_) * n_layers * n_kv_heads, 0.0f);
}

int64_t BlockAttention::offset(int layer, int kv_head, int64_t key) const {
  // Keys of key-block b (keys [bL, (b+1)L)) have rows of n_blocks - b entries.
  const int64_t b = key / block_, L = block_;
  const int64_t before = L * (b * n_blocks_ - b * (b - 1) / 2) + (key - b * L) * (n_blocks_ - b);
  return (int64_t{layer} * n_kv_heads_ + kv_head) * per_head_ + before;
}

FutureAttention::FutureAttention(BlockAttention means) : table_(std::move(means)) {
  for (int layer = 0; layer < table_.n_layers(); ++layer)
    for (int h = 0; h < table_.n_kv_heads(); ++h)
      for (int64_t key = 0; key < table_.n_tokens(); ++key) {
        float* row = table_.row(layer, h, key);
        const int64_t n = table_.n_blocks() - table_.first_block(key);
        for (int64_t j = n - 2; j >= 0; --j) row[j] = std::max(row[j], row[j + 1]);
      }
}

float FutureAttention::alpha(int layer, int kv_head, int64_t key, int64_t from_block) const {
  if (key < 0 || key >= table_.n_tokens())
    fail("golden: position {} is beyond the {} tokens whose future attention was recorded", key,
         table_.n_tokens());
  if (from_block >= table_.n_blocks()) return 0.0f;
  return table_.at(layer, kv_head, key, std::max(from_block, table_.first_block(key)));
}

}  // namespace foresight
