// RoPE rotations tabulated once per training run for every position: the cosines and sines
// the engine's Rope computes per call, bit for bit, and the inverse rotation, which is the
// gradient of a rotation.
#pragma once
#include <cstdint>
#include <vector>

#include "model/config.hpp"

namespace foresight {

class RopeTable {
 public:
  RopeTable(const ModelConfig& config, int64_t positions);
  int64_t positions() const { return positions_; }
  // Rotates n_heads vectors of head_dim at x, in place; inverse rotates by minus the angle.
  void rotate(float* x, int n_heads, int64_t position, bool inverse) const;

 private:
  int head_dim_;
  int64_t positions_;
  std::vector<float> cos_sin_;  // [positions, head_dim]: half cosines, then half sines
};

}  // namespace foresight
