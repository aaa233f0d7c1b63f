#include "model/attention.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "core/kernels.hpp"

namespace foresight {

void attend(const ModelConfig& c, const KvCache& cache, int layer, const float* q, int n,
            float* out) {
  const int d = c.head_dim, group = c.group();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const int64_t tasks = int64_t{c.n_heads} * n;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t task = 0; task < tasks; ++task) {
    const int head = static_cast<int>(task % c.n_heads), i = static_cast<int>(task / c.n_heads);
    const HeadCache& kv = cache.head(layer, head / group);
    const int visible = kv.count() - n + i + 1;
    const float* query = q + (int64_t{i} * c.n_heads + head) * d;
    thread_local std::vector<float> probs;
    probs.resize(static_cast<size_t>(visible));
    for (int j = 0; j < visible; ++j)
      probs[j] = dot(query, kv.keys() + int64_t{j} * d, d) * scale;
    softmax(probs.data(), visible);
    float* o = out + (int64_t{i} * c.n_heads + head) * d;
    std::memset(o, 0, sizeof(float) * d);
    for (int j = 0; j < visible; ++j) axpy(probs[j], kv.values() + int64_t{j} * d, o, d);
  }
}

}  // namespace foresight
