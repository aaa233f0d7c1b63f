// Rank 0 receives what the other ranks made of the items they own: item i of [0, n) is the
// rank's where mine(i). Each rank writes its items with write(out, i); rank 0 reads each into
// place with read(in, i). Collective; nothing moves in a job of one process.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "dist/bytes.hpp"
#include "dist/cluster.hpp"

namespace foresight {

template <typename Mine, typename Write, typename Read>
void gather_items(const Cluster& cluster, int64_t n, Mine mine, Write write, Read read) {
  if (cluster.size() == 1) return;
  ByteWriter out;
  if (!cluster.root())
    for (int64_t i = 0; i < n; ++i)
      if (mine(i)) out.put(i), write(out, i);
  const std::vector<std::string> parts = cluster.gather(out.take());
  for (size_t rank = 1; rank < parts.size(); ++rank)
    for (ByteReader in(parts[rank]); !in.done();) {
      const auto i = in.get<int64_t>();
      if (i < 0 || i >= n) fail("cluster: a rank sent item {} of {}", i, n);
      read(in, i);
    }
}

// The same for items dealt in turn, in groups: item i is rank (i / group) mod N's.
template <typename Write, typename Read>
void gather_owned(const Cluster& cluster, int64_t n, int64_t group, Write write, Read read) {
  gather_items(
      cluster, n, [&](int64_t i) { return cluster.owns(i / group); }, write, read);
}

}  // namespace foresight
