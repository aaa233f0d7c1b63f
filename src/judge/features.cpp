#include "judge/features.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/kernels.hpp"

namespace foresight {

namespace {

// The rotations of the positions seen so far, as Rope::cos_sin gives them (in double, d values
// a position): the same candidates come back at every eviction, and computing their cos/sin
// anew would cost more than the judge's MLP. One table per thread; `use` checks that the Rope is
// the table's (the cos/sin of one probe position, d values an eviction) and starts afresh if not.
class RotationTable {
 public:
  void use(const Rope& rope, int d) {
    probe_.resize(size_t(d));
    rope.cos_sin(kProbe, probe_.data());
    if (probe_ != fingerprint_) fingerprint_ = probe_, table_.clear(), known_.clear();
    rope_ = &rope, d_ = d;
  }
  const float* at(int64_t position) {
    if (size_t(position) >= known_.size()) {
      known_.resize(size_t(position) + 1, 0);
      table_.resize(known_.size() * size_t(d_));
    }
    float* out = table_.data() + size_t(position) * size_t(d_);
    if (!known_[size_t(position)]) rope_->cos_sin(position, out), known_[size_t(position)] = 1;
    return out;
  }

 private:
  static constexpr int64_t kProbe = 12345;
  const Rope* rope_ = nullptr;
  int d_ = 0;
  std::vector<float> probe_, fingerprint_, table_;  // table_: [position][d]
  std::vector<char> known_;
};

// The key as it was before the rotation of its position: RoPE turns pair (j, j + d/2) by the
// position's angle, so turning it back by the same angle recovers it.
void unrotate(const float* cos_sin, const float* key, int d, float* out) {
  const int half = d / 2;
  for (int j = 0; j < half; ++j) {
    const float c = cos_sin[j], s = cos_sin[half + j], a = key[j], b = key[half + j];
    out[j] = a * c + b * s;
    out[half + j] = b * c - a * s;
  }
}

// Inputs `at` and `at + 1` of every candidate's row: the largest cosine similarity of its
// unrotated key with an entry of the head that is newer, and with one that is older (the sinks
// and the newest chunk, which are not candidates, included; -1 where there is none).
void key_similarities(const EvictionView& v, int kv_head, RotationTable& rotations, int F, int at,
                      float* x) {
  const HeadCache& head = v.head(kv_head);
  const int d = v.head_dim, m = head.count();
  thread_local std::vector<float> unit;  // [m, d]: every entry's unrotated key, unit length
  unit.resize(size_t(m) * size_t(d));
  for (int e = 0; e < m; ++e) {
    float* u = unit.data() + int64_t{e} * d;
    unrotate(rotations.at(head.positions()[size_t(e)]), head.keys() + int64_t{e} * d, d, u);
    float norm = 0;
    for (int j = 0; j < d; ++j) norm += u[j] * u[j];
    const float scale = norm > 0 ? 1.0f / std::sqrt(norm) : 0.0f;
    for (int j = 0; j < d; ++j) u[j] *= scale;
  }
  // Every candidate's dot product with every entry, [n, m], in one pass over the entries.
  thread_local std::vector<float> dots;
  dots.resize(size_t(v.n) * size_t(m));
  dot_rows(unit.data() + int64_t{v.first} * d, v.n, unit.data(), m, d, 1.0f, dots.data(), m);
  for (int c = 0; c < v.n; ++c) {
    const int e = v.first + c;  // a head keeps its entries in position order
    const float* row = dots.data() + int64_t{c} * m;
    x[int64_t{c} * F + at] =
        *std::max_element(row + e + 1, row + m);  // candidates are never newest
    x[int64_t{c} * F + at + 1] = e > 0 ? *std::max_element(row, row + e) : -1.0f;
  }
}

}  // namespace

void judge_features(const JudgeFeatureSet& set, const EvictionView& v, int kv_head, float* x) {
  const int d = v.head_dim, F = set.count(d, v.group);
  if (set.unrotated_keys && v.rope == nullptr)
    fail("judge: the keys' rotation cannot be undone without the model's RoPE");
  thread_local RotationTable rotations;
  if (set.unrotated_keys) rotations.use(*v.rope, d);
  const HeadCache& head = v.head(kv_head);
  const double length = double(v.end_position());
  for (int c = 0; c < v.n; ++c) {
    float* row = x + int64_t{c} * F;
    const int64_t position = v.position(kv_head, c);
    if (set.unrotated_keys) unrotate(rotations.at(position), v.key(kv_head, c), d, row);
    else std::copy(v.key(kv_head, c), v.key(kv_head, c) + d, row);
    std::copy(v.value(kv_head, c), v.value(kv_head, c) + d, row + d);
    const float* stats = head.stats() + head.stats_stride() * (v.first + c);
    float* out = row + 2 * d;
    for (int s = 0; s < v.group; ++s)
      for (int channel = 0; channel < kJudgeStats; ++channel) {
        const float value = stats[kNumStats * s + channel];
        *out++ = set.log_stats ? std::log(std::max(value, 0.0f) + kLogStatsEps) : value;
      }
    if (set.position) {
      out[0] = float(std::log1p(length - double(position)));
      out[1] = position < v.prompt_length ? 1.0f : 0.0f;
      out[2] = float(double(position) / length);
    }
  }
  if (set.key_similarity) key_similarities(v, kv_head, rotations, F, F - kSimilarityInputs, x);
}

void judge_inputs(const Judge& judge, const EvictionView& v, int kv_head, std::vector<float>& x) {
  x.resize(size_t(v.n) * judge.shape().features());
  judge_features(judge.shape().inputs, v, kv_head, x.data());
  judge.standardise(v.layer, kv_head, x.data(), v.n);
}

void judge_scores(const Judge& judge, const EvictionView& v, int kv_head, std::vector<float>& x,
                  std::span<float> phi) {
  judge_inputs(judge, v, kv_head, x);
  judge_forward(judge.head(v.layer, kv_head), x.data(), v.n, phi.data());
}

}  // namespace foresight
