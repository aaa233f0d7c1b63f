// Autoregressive generation: prefill the prompt in chunks, then decode one token at a time
// until an end-of-sequence id or the token limit. Many independent generations run as one
// continuous batch: each step advances every running sequence by one token through a single
// pass (forward_batch), a finished sequence frees its cache at once, and the next waiting
// request takes its place as soon as its cache fits under the memory cap.
#pragma once
#include <functional>
#include <vector>

#include "engine/transformer.hpp"
#include "model/sampler.hpp"

namespace foresight {

struct GenerateSettings {
  int max_new_tokens = 256;
  int prefill_chunk = 512;  // prompt tokens per forward pass at most; bounds activation memory
  SamplingSettings sampling;
  std::vector<int32_t> stop_ids;  // usually the model's EOS ids
  EvictionSchedule schedule;
  std::shared_ptr<const Policy> policy;  // null: the full cache
  // Checked with the tokens generated so far after each one that is not a stop id; true ends
  // the generation (e.g. once an answer line is complete). Empty: never. In a batch it is
  // called from several threads at once.
  std::function<bool(std::span<const int32_t> generated)> stop_after;
};

struct GenerateResult {
  std::vector<int32_t> tokens;  // generated ids, the stop id included when one was hit
  bool stopped = false;         // ended on a stop id or stop_after rather than the token limit
  // Decode time runs from the end of the prefill to the last token, so in a batch it includes
  // the steps of the other sequences (the sequence's latency, not its share of the work).
  double prefill_seconds = 0, decode_seconds = 0;
  int64_t peak_kv_bytes = 0;
  int64_t evictions = 0, evicted_entries = 0;
  double eviction_seconds = 0;  // part of prefill and decode time spent scoring and compacting
};

// `on_token` is called with each new id as soon as it is sampled (for streaming).
GenerateResult generate(const Model& model, std::span<const int32_t> prompt,
                        const GenerateSettings& settings,
                        const std::function<void(int32_t)>& on_token = {});

struct GenerateRequest {
  std::span<const int32_t> prompt;  // the caller keeps the tokens alive during the run
  GenerateSettings settings;
};

// KV entries per (layer, KV head) a generation's cache is given when it is admitted: B + L
// under a budget (the most it ever holds), prompt + max_new_tokens for the full cache.
int64_t reserved_kv_entries(const GenerateSettings& settings, int64_t prompt_tokens);
// The same in bytes of keys and values, what --kv-memory caps.
int64_t reserved_kv_bytes(const ModelConfig& config, const GenerateRequest& request);

struct BatchCallbacks {
  std::function<void(size_t request, int32_t token)> on_token;
  std::function<void(size_t request, const GenerateResult&)> on_finished;
};

// How much runs at once. Decoding is fastest with many sequences in one step (the weights are
// read once for all of them, and each step's fixed costs are shared), until their caches spill
// far out of the processor's caches: on 2 cores `eval` ran 37% faster with 192 sequences in
// flight than with 31 (docs/results.md, "Where the evaluation's time goes").
struct DecodeLimits {
  int64_t kv_memory = 0;    // bytes of keys and values the running sequences may reserve; 0: no cap
  int max_sequences = 256;  // sequences running at once; 0: no cap
};

// Runs every request, admitting them in order while the running sequences stay within the
// limits. Each sequence's tokens are exactly those generate gives it alone. Error naming
// --kv-memory when a request does not fit even alone. Results come back in request order.
std::vector<GenerateResult> generate_batch(const Model& model,
                                           std::span<const GenerateRequest> requests,
                                           const DecodeLimits& limits,
                                           const BatchCallbacks& callbacks = {});

}  // namespace foresight
