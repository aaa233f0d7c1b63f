// What the ranks of a judge-training job exchange (docs/usage.md, "Across processes: MPI"):
// each rank computes the traces of a step it owns (dealt by their replay cost, dist/deal.hpp,
// so that the ranks finish together); rank 0 receives what the others computed, sums it in trace
// order as one process does, updates the judge, and hands the parameters back.
#pragma once
#include <algorithm>
#include <span>
#include <type_traits>
#include <vector>

#include "dist/cluster.hpp"
#include "dist/deal.hpp"
#include "dist/gather.hpp"
#include "judge/judge.hpp"
#include "kv/schedule.hpp"
#include "train/trace_gradients.hpp"

namespace foresight {

// What replaying a trace of `tokens` tokens under `schedule` costs, in keys attended: each
// token attends to every entry the cache holds, at most B + L; the judge's scoring of the
// candidates grows the same way.
inline int64_t replay_cost(int64_t tokens, const EvictionSchedule& schedule) {
  const int64_t cap = schedule.active() ? schedule.capacity() : tokens;
  if (tokens <= cap) return tokens * (tokens + 1) / 2;
  return cap * (cap + 1) / 2 + (tokens - cap) * cap;
}

// Which of a step's traces this process computes: all of them without a cluster; else those
// the deal by cost(q) (replay_cost) gives its rank.
class StepOwners {
 public:
  template <typename Cost>
  StepOwners(const Cluster* cluster, int64_t n, Cost cost) {
    if (cluster == nullptr) return;
    std::vector<int64_t> costs(static_cast<size_t>(n));
    for (int64_t q = 0; q < n; ++q) costs[size_t(q)] = cost(q);
    owner_ = deal_by_cost(costs, cluster->size());
    rank_ = cluster->rank();
  }
  bool mine(int64_t q) const { return owner_.empty() || owner_[size_t(q)] == rank_; }

 private:
  std::vector<int> owner_;
  int rank_ = 0;
};

// Rank 0 receives the values the other ranks computed: values[i] belongs to trace
// i / per_trace; with `grads`, also the gradient buffers of their traces.
template <typename T>
requires std::is_trivially_copyable_v<T>
void gather_step(const Cluster& cluster, const StepOwners& owners, std::vector<T>& values,
                 int per_trace = 1, TraceGradients* grads = nullptr) {
  const auto with_grad = [&](int64_t i) { return grads && i % per_trace == 0; };
  gather_items(
      cluster, int64_t(values.size()), [&](int64_t i) { return owners.mine(i / per_trace); },
      [&](ByteWriter& out, int64_t i) {
        out.put(values[i]);
        if (with_grad(i)) out.put(std::span<const float>(grads->at(i / per_trace)));
      },
      [&](ByteReader& in, int64_t i) {
        values[i] = in.get<T>();
        if (!with_grad(i)) return;
        const std::vector<float> g = in.get_vector<float>();
        const std::span<float> into = grads->at(i / per_trace);
        if (g.size() != into.size()) fail("cluster: a rank sent a gradient of another size");
        std::copy(g.begin(), g.end(), into.begin());
      });
}

// Every rank takes rank 0's parameters (after its update) and its `flag`; returns the flag.
inline bool share_parameters(const Cluster& cluster, Judge& judge, bool flag = false) {
  const std::span<float> p = judge.parameters();
  ByteWriter out;
  if (cluster.root()) out.put(flag), out.put(std::span<const float>(p));
  const std::string bytes = cluster.broadcast(out.take());
  ByteReader in(bytes);
  flag = in.get<bool>();
  const std::vector<float> shared = in.get_vector<float>();
  if (shared.size() != p.size()) fail("cluster: rank 0 sent parameters of another size");
  std::copy(shared.begin(), shared.end(), p.begin());
  return flag;
}

}  // namespace foresight
