// What the ranks of a judge-training job exchange (docs/usage.md, "Across processes: MPI"):
// each rank computes the traces of a step it owns (trace q is rank q mod N's); rank 0 receives
// what the others computed, sums it in trace order as one process does, updates the judge, and
// hands the parameters back.
#pragma once
#include <algorithm>
#include <span>
#include <type_traits>
#include <vector>

#include "dist/cluster.hpp"
#include "dist/gather.hpp"
#include "judge/judge.hpp"
#include "train/trace_gradients.hpp"

namespace foresight {

// Whether trace q is this process's to compute (always, without a cluster).
inline bool owned(const Cluster* cluster, int64_t q) {
  return cluster == nullptr || cluster->owns(q);
}

// Rank 0 receives the values the other ranks computed: values[i] belongs to trace
// i / per_trace; with `grads`, also the gradient buffers of their traces.
template <typename T>
requires std::is_trivially_copyable_v<T>
void gather_step(const Cluster& cluster, std::vector<T>& values, int per_trace = 1,
                 TraceGradients* grads = nullptr) {
  const auto with_grad = [&](int64_t i) { return grads && i % per_trace == 0; };
  gather_owned(
      cluster, int64_t(values.size()), per_trace,
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
