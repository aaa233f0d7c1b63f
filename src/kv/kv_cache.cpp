#include "kv/kv_cache.hpp"

#include <algorithm>
#include <cstring>

namespace foresight {

void HeadCache::append(const float* key, const float* value, int32_t position) {
  keys_.insert(keys_.end(), key, key + head_dim_);
  values_.insert(values_.end(), value, value + head_dim_);
  positions_.push_back(position);
  for (int slot = 0; slot < stat_slots_; ++slot) {
    float fresh[kNumStats] = {};
    reset_chunk_stats(fresh);
    stats_.insert(stats_.end(), fresh, fresh + kNumStats);
  }
  ++count_;
}

void HeadCache::retain(std::span<const int32_t> keep) {
  const size_t d = static_cast<size_t>(head_dim_), w = static_cast<size_t>(stats_stride());
  int out = 0;
  for (int32_t i : keep) {
    if (i != out) {
      std::memcpy(&keys_[out * d], &keys_[i * d], d * sizeof(float));
      std::memcpy(&values_[out * d], &values_[i * d], d * sizeof(float));
      if (w > 0) std::memcpy(&stats_[out * w], &stats_[i * w], w * sizeof(float));
      positions_[out] = positions_[i];
    }
    ++out;
  }
  count_ = out;
  keys_.resize(count_ * d);
  values_.resize(count_ * d);
  stats_.resize(count_ * w);
  positions_.resize(count_);
}

void HeadCache::reserve(int entries) {
  const size_t d = static_cast<size_t>(head_dim_);
  keys_.reserve(entries * d);
  values_.reserve(entries * d);
  stats_.reserve(entries * static_cast<size_t>(stats_stride()));
  positions_.reserve(entries);
}

KvCache::KvCache(int n_layers, int n_kv_heads, int head_dim, int stat_slots, int reserve)
    : n_layers_(n_layers), n_kv_heads_(n_kv_heads), head_dim_(head_dim) {
  heads_.assign(size_t(n_layers) * n_kv_heads, HeadCache(head_dim, stat_slots));
  if (reserve > 0) this->reserve(reserve);
}

void KvCache::reserve(int entries) {
  for (auto& h : heads_) h.reserve(entries);
}

int64_t KvCache::entries() const {
  int64_t n = 0;
  for (const auto& h : heads_) n += h.count();
  return n;
}

}  // namespace foresight
