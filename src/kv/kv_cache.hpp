// The KV cache of one sequence, stored per (layer, KV head): each head holds its own compact
// list of entries (post-RoPE key, value, original position) in original order. Heads never
// share storage, so eviction can keep a different set of positions in every head; GQA is never
// expanded (a KV head's entries serve all query heads of its group).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "kv/attention_stats.hpp"

namespace foresight {

class HeadCache {
 public:
  // `stat_slots`: how many query heads' statistics each entry carries (the GQA group size when
  // the policy needs statistics, else 0).
  HeadCache(int head_dim, int stat_slots) : head_dim_(head_dim), stat_slots_(stat_slots) {}

  int count() const { return count_; }
  const float* keys() const { return keys_.data(); }      // [count, head_dim]
  const float* values() const { return values_.data(); }  // [count, head_dim]
  std::span<const int32_t> positions() const { return {positions_.data(), size_t(count_)}; }
  // [count, stat_slots, kNumStats]: entry e's channels for query head s of the group are at
  // stats() + stats_stride() * e + kNumStats * s.
  float* stats() { return stats_.data(); }
  const float* stats() const { return stats_.data(); }
  int64_t stats_stride() const { return int64_t{stat_slots_} * kNumStats; }
  int stat_slots() const { return stat_slots_; }

  void append(const float* key, const float* value, int32_t position);
  // Keeps only the entries at `keep` (ascending indices), compacting in place.
  void retain(std::span<const int32_t> keep);
  // A budgeted head reserves its B + L entries once and then never reallocates.
  void reserve(int entries);
  int64_t capacity() const { return static_cast<int64_t>(positions_.capacity()); }

 private:
  int head_dim_, stat_slots_;
  int count_ = 0;
  std::vector<float> keys_, values_, stats_;
  std::vector<int32_t> positions_;
};

class KvCache {
 public:
  // `reserve`: entries per head to allocate up front (B + L under a budget), 0 to grow freely.
  KvCache(int n_layers, int n_kv_heads, int head_dim, int stat_slots = 0, int reserve = 0);

  HeadCache& head(int layer, int kv_head) { return heads_[index(layer, kv_head)]; }
  const HeadCache& head(int layer, int kv_head) const { return heads_[index(layer, kv_head)]; }
  int n_layers() const { return n_layers_; }
  int n_kv_heads() const { return n_kv_heads_; }
  int head_dim() const { return head_dim_; }

  // Allocates room for `entries` per head up front, so a cache's memory is claimed when a
  // sequence is admitted rather than as it grows (and never overshoots by a growth factor).
  void reserve(int entries);

  int64_t entries() const;  // summed over every (layer, KV head)
  // Bytes of keys and values held: entries x 2 x head_dim x 4 (fp32 storage).
  int64_t bytes() const { return entries() * 2 * head_dim_ * int64_t{sizeof(float)}; }

 private:
  size_t index(int layer, int kv_head) const { return size_t(layer) * n_kv_heads_ + kv_head; }
  int n_layers_, n_kv_heads_, head_dim_;
  std::vector<HeadCache> heads_;
};

}  // namespace foresight
