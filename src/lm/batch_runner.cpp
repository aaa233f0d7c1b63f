#include "lm/batch_runner.hpp"

#include <algorithm>
#include <numeric>

#include <omp.h>

#include "lm/parallel_gemm.hpp"

namespace foresight {

namespace {

// Shards may differ in cost by this much before the batch runs as one instead.
constexpr double kMaxImbalance = 1.15;

}  // namespace

BatchRunner::BatchRunner(const ModelConfig& config, int64_t max_positions) : config_(config) {
  for (int t = 0; t < omp_get_max_threads(); ++t)
    networks_.push_back(std::make_unique<LmNetwork>(config, max_positions));
  grads_.resize(networks_.size() - 1);
}

std::vector<std::vector<int64_t>> BatchRunner::plan(const Batch& batch) const {
  const auto shards = static_cast<int64_t>(networks_.size());
  if (shards < 2 || batch.sequences() < shards) return {};
  // Multiply-adds per sequence of T tokens: the matrix products grow with T, attention with T^2.
  const ModelConfig& c = config_;
  const double per_token =
      double(c.hidden) * (double(c.n_heads + 2 * c.n_kv_heads) * c.head_dim +
                          double(c.n_heads) * c.head_dim + 3.0 * c.intermediate);
  const double per_pair = double(c.n_heads) * c.head_dim;  // QK^T and PV over T^2 / 2 pairs
  std::vector<double> cost(static_cast<size_t>(batch.sequences()));
  for (int64_t s = 0; s < batch.sequences(); ++s) {
    const auto t = double(batch.offsets[s + 1] - batch.offsets[s]);
    cost[s] = t * per_token + t * t * per_pair;
  }
  std::vector<int64_t> order(cost.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return cost[a] > cost[b]; });
  std::vector<std::vector<int64_t>> plan(static_cast<size_t>(shards));
  std::vector<double> load(static_cast<size_t>(shards), 0.0);
  for (int64_t s : order) {
    const auto least = std::min_element(load.begin(), load.end()) - load.begin();
    plan[least].push_back(s);
    load[least] += cost[s];
  }
  const double total = std::accumulate(load.begin(), load.end(), 0.0);
  if (*std::max_element(load.begin(), load.end()) > kMaxImbalance * total / double(shards))
    return {};
  for (auto& p : plan) std::sort(p.begin(), p.end());
  return plan;
}

double BatchRunner::loss_and_gradient(const LmParameters& params, const Batch& batch,
                                      float grad_scale, std::span<float> grads) {
  const auto plan = this->plan(batch);
  if (plan.empty()) {
    const double loss = networks_[0]->forward(params, batch);
    networks_[0]->backward(params, batch, grad_scale, grads);
    return loss;
  }
  const SingleThreadedBlas blas;
  std::vector<double> losses(plan.size(), 0.0);
  const int shards = static_cast<int>(plan.size());
#pragma omp parallel num_threads(shards)
  {
    // Shard t on thread t, whatever the team's size: each shard is one task.
    for (int t = omp_get_thread_num(); t < shards; t += omp_get_num_threads()) {
      const Batch shard = batch.subset(plan[t]);
      std::span<float> g = grads;
      if (t > 0) {
        grads_[t - 1].assign(grads.size(), 0.0f);
        g = grads_[t - 1];
      }
      losses[t] = networks_[t]->forward(params, shard);
      networks_[t]->backward(params, shard, grad_scale, g);
    }
  }
  const auto n = static_cast<int64_t>(grads.size());
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int t = 1; t < shards; ++t) grads[i] += grads_[t - 1][i];
  double loss = 0;
  for (double l : losses) loss += l;
  return loss;
}

double BatchRunner::loss(const LmParameters& params, const Batch& batch) {
  const auto plan = this->plan(batch);
  if (plan.empty()) return networks_[0]->forward(params, batch);
  const SingleThreadedBlas blas;
  std::vector<double> losses(plan.size(), 0.0);
  const int shards = static_cast<int>(plan.size());
#pragma omp parallel num_threads(shards)
  for (int t = omp_get_thread_num(); t < shards; t += omp_get_num_threads())
    losses[t] = networks_[t]->forward(params, batch.subset(plan[t]));
  double loss = 0;
  for (double l : losses) loss += l;
  return loss;
}

}  // namespace foresight
