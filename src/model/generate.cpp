#include "model/generate.hpp"

#include <algorithm>
#include <chrono>

#include "core/error.hpp"

namespace foresight {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

GenerateResult generate(const Model& model, std::span<const int32_t> prompt,
                        const GenerateSettings& settings,
                        const std::function<void(int32_t)>& on_token) {
  if (prompt.empty()) fail("generate: the prompt has no tokens");
  if (settings.max_new_tokens < 0) fail("--max-new-tokens must be >= 0");
  if (settings.prefill_chunk < 1) fail("generate: prefill chunk must be >= 1");
  // The sampler and the policy draw from separate generators, so a policy that draws (random)
  // does not change which tokens a given seed samples.
  Sequence seq(model.config(), settings.schedule, settings.policy, settings.sampling.seed ^ 0x5eed);
  Sampler sampler(settings.sampling);
  GenerateResult result;

  auto t0 = std::chrono::steady_clock::now();
  std::vector<float> logits =
      forward_tokens(model, seq, prompt, LogitsWanted::Last, settings.prefill_chunk);
  result.prefill_seconds = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  for (int step = 0; step < settings.max_new_tokens; ++step) {
    const int32_t token = sampler.sample(logits);
    result.tokens.push_back(token);
    if (on_token) on_token(token);
    if (std::find(settings.stop_ids.begin(), settings.stop_ids.end(), token) !=
        settings.stop_ids.end()) {
      result.stopped = true;
      break;
    }
    if (settings.stop_after && settings.stop_after(result.tokens)) {
      result.stopped = true;
      break;
    }
    if (step + 1 == settings.max_new_tokens) break;  // no forward pass for a token never used
    logits = forward_chunk(model, seq, std::span(&token, 1), LogitsWanted::Last);
  }
  result.decode_seconds = seconds_since(t0);
  result.peak_kv_bytes = seq.peak_kv_bytes;
  result.evictions = seq.evictions;
  result.evicted_entries = seq.evicted_entries;
  result.eviction_seconds = seq.eviction_seconds;
  return result;
}

}  // namespace foresight
