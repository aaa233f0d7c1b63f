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
  Sequence seq(model.config());
  Sampler sampler(settings.sampling);
  GenerateResult result;

  auto t0 = std::chrono::steady_clock::now();
  std::vector<float> logits;
  for (size_t begin = 0; begin < prompt.size(); begin += settings.prefill_chunk) {
    const size_t n = std::min(prompt.size() - begin, size_t(settings.prefill_chunk));
    logits = forward_chunk(model, seq, prompt.subspan(begin, n), LogitsWanted::Last);
  }
  result.prefill_seconds = seconds_since(t0);
  result.peak_kv_bytes = seq.cache.bytes();

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
    if (step + 1 == settings.max_new_tokens) break;  // no forward pass for a token never used
    logits = forward_chunk(model, seq, std::span(&token, 1), LogitsWanted::Last);
    result.peak_kv_bytes = std::max(result.peak_kv_bytes, seq.cache.bytes());
  }
  result.decode_seconds = seconds_since(t0);
  return result;
}

}  // namespace foresight
