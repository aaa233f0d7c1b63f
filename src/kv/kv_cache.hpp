// The KV cache of one sequence, stored per (layer, KV head): each head holds its own compact
// list of entries (post-RoPE key, value, original position) in original order. Heads never
// share storage, so eviction can keep a different set of positions in every head; GQA is never
// expanded (a KV head's entries serve all query heads of its group).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace foresight {

class HeadCache {
 public:
  explicit HeadCache(int head_dim) : head_dim_(head_dim) {}

  int count() const { return count_; }
  const float* keys() const { return keys_.data(); }      // [count, head_dim]
  const float* values() const { return values_.data(); }  // [count, head_dim]
  std::span<const int32_t> positions() const { return {positions_.data(), size_t(count_)}; }

  void append(const float* key, const float* value, int32_t position);
  // Keeps only the entries at `keep` (ascending indices), compacting in place.
  void retain(std::span<const int32_t> keep);
  // A budgeted head reserves its B + L entries once and then never reallocates.
  void reserve(int entries);
  int64_t capacity() const { return static_cast<int64_t>(positions_.capacity()); }

 private:
  int head_dim_;
  int count_ = 0;
  std::vector<float> keys_, values_;
  std::vector<int32_t> positions_;
};

class KvCache {
 public:
  KvCache(int n_layers, int n_kv_heads, int head_dim);

  HeadCache& head(int layer, int kv_head) { return heads_[index(layer, kv_head)]; }
  const HeadCache& head(int layer, int kv_head) const { return heads_[index(layer, kv_head)]; }
  int n_layers() const { return n_layers_; }
  int n_kv_heads() const { return n_kv_heads_; }
  int head_dim() const { return head_dim_; }

  int64_t entries() const;  // summed over every (layer, KV head)
  // Bytes of keys and values held: entries x 2 x head_dim x 4 (fp32 storage).
  int64_t bytes() const { return entries() * 2 * head_dim_ * int64_t{sizeof(float)}; }

 private:
  size_t index(int layer, int kv_head) const { return size_t(layer) * n_kv_heads_ + kv_head; }
  int n_layers_, n_kv_heads_, head_dim_;
  std::vector<HeadCache> heads_;
};

}  // namespace foresight
