// Attention summarised per block of queries, the input of Golden Eviction (docs/method.md section
// 4).
//
// BlockAttention holds, per (layer, KV head), S[key, j]: the attention probability `key`
// receives from the queries of block j (positions [jL, (j+1)L); the last block may be shorter),
// averaged over those queries and over the g query heads of the KV head's group. A block can
// only see keys up to its end, so row `key` stores blocks j >= key / L alone: a triangle of
// about T * nblocks / 2 floats per (layer, KV head), never T x T.
//
// FutureAttention turns S into its suffix maximum in place: alpha[key, j] = max over j' >= j of
// S[key, j'], the most attention the key will receive from any block from j on.
#pragma once
#include <cstdint>
#include <vector>

namespace foresight {

class BlockAttention {
 public:
  // All zeros. `block` is L, the eviction length.
  BlockAttention(int n_layers, int n_kv_heads, int64_t n_tokens, int block);

  int n_layers() const { return n_layers_; }
  int n_kv_heads() const { return n_kv_heads_; }
  int64_t n_tokens() const { return n_tokens_; }
  int block() const { return block_; }
  int64_t n_blocks() const { return n_blocks_; }
  int64_t first_block(int64_t key) const { return key / block_; }  // the first block seeing key
  int64_t bytes() const { return int64_t(values_.size() * sizeof(float)); }

  // Blocks first_block(key) .. n_blocks() - 1 of `key`, contiguous.
  float* row(int layer, int kv_head, int64_t key) {
    return values_.data() + offset(layer, kv_head, key);
  }
  const float* row(int layer, int kv_head, int64_t key) const {
    return values_.data() + offset(layer, kv_head, key);
  }
  // S[key, j] for j >= first_block(key).
  float& at(int layer, int kv_head, int64_t key, int64_t j) {
    return row(layer, kv_head, key)[j - first_block(key)];
  }
  float at(int layer, int kv_head, int64_t key, int64_t j) const {
    return row(layer, kv_head, key)[j - first_block(key)];
  }

 private:
  int64_t offset(int layer, int kv_head, int64_t key) const;
  int n_layers_, n_kv_heads_, block_;
  int64_t n_tokens_, n_blocks_ = 0, per_head_;
  std::vector<float> values_;
};

class FutureAttention {
 public:
  explicit FutureAttention(BlockAttention means);

  int n_layers() const { return table_.n_layers(); }
  int n_kv_heads() const { return table_.n_kv_heads(); }
  int64_t n_tokens() const { return table_.n_tokens(); }
  int block() const { return table_.block(); }
  int64_t bytes() const { return table_.bytes(); }
  // alpha: the max of S[key, j] over blocks j >= from_block (blocks before first_block(key)
  // cannot see the key and count as 0); 0 when no block is left. Error for a key beyond the
  // recorded tokens.
  float alpha(int layer, int kv_head, int64_t key, int64_t from_block) const;

 private:
  BlockAttention table_;
};

}  // namespace foresight
