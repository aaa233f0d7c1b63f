// Rank 0 receives what the other ranks made of the items they own: item i of [0, n) is
// rank (i / group) mod N's. Each rank writes its items with write(out, i); rank 0 reads each
// into place with read(in, i). Collective; nothing moves in a job of one process.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "dist/bytes.hpp"
#include "dist/cluster.hpp"

namespace foresight {

template <typename Write, typename Read>
void gather_owned(const Cluster& cluster, int64_t n, int64_t group, Write write, Read read) {
  if (cluster.size() == 1) return;
  ByteWriter out;
  if (!cluster.root())
    for (int64_t i = 0; i < n; ++i)
      if (cluster.owns(i / group)) out.put(i), write(out, i);
  const std::vector<std::string> parts = cluster.gather(out.take());
  for (size_t rank = 1; rank < parts.size(); ++rank)
    for (ByteReader in(parts[rank]); !in.done();) {
      const auto i = in.get<int64_t>();
      if (i < 0 || i >= n) fail("cluster: a rank sent item {} of {}", i, n);
      read(in, i);
    }
}

}  // namespace foresight
