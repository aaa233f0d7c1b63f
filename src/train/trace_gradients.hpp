// The gradient of a judge training step over traces that run as parallel jobs: each trace adds
// into a buffer of its own, and the buffers are summed in trace order, so that a step's gradient
// is the same on any thread count (and a resumed run repeats an uninterrupted one bit for bit).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace foresight {

class TraceGradients {
 public:
  TraceGradients(int traces, size_t size);

  // Trace q's buffer, zeroed, for that trace's job to add into.
  std::span<float> cleared(int64_t q);
  // Trace q's buffer as it is (another rank's trace is copied in).
  std::span<float> at(int64_t q) { return traces_.at(size_t(q)); }
  // The sum of the traces' buffers, in trace order (valid until the next call).
  std::span<float> sum();

 private:
  std::vector<std::vector<float>> traces_;
  std::vector<float> sum_;
};

}  // namespace foresight
