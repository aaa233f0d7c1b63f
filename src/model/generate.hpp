// Autoregressive generation: prefill the prompt in chunks, then decode one token at a time
// until an end-of-sequence id or the token limit.
#pragma once
#include <functional>
#include <vector>

#include "model/sampler.hpp"
#include "model/transformer.hpp"

namespace foresight {

struct GenerateSettings {
  int max_new_tokens = 256;
  int prefill_chunk = 512;  // prompt tokens per forward pass at most; bounds activation memory
  SamplingSettings sampling;
  std::vector<int32_t> stop_ids;  // usually the model's EOS ids
  EvictionSchedule schedule;
  std::shared_ptr<const Policy> policy;  // null: the full cache
  // Checked with the tokens generated so far after each one that is not a stop id; true ends
  // the generation (e.g. once an answer line is complete). Empty: never.
  std::function<bool(std::span<const int32_t> generated)> stop_after;
};

struct GenerateResult {
  std::vector<int32_t> tokens;  // generated ids, the stop id included when one was hit
  bool stopped = false;  // ended on a stop id or stop_after rather than the token limit
  double prefill_seconds = 0, decode_seconds = 0;
  int64_t peak_kv_bytes = 0;
  int64_t evictions = 0, evicted_entries = 0;
  double eviction_seconds = 0;  // part of prefill and decode time spent scoring and compacting
};

// `on_token` is called with each new id as soon as it is sampled (for streaming).
GenerateResult generate(const Model& model, std::span<const int32_t> prompt,
                        const GenerateSettings& settings,
                        const std::function<void(int32_t)>& on_token = {});

}  // namespace foresight
