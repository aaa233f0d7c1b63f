#include "engine/generate.hpp"

#include "engine/batch_decoder.hpp"

namespace foresight {

int64_t reserved_kv_entries(const GenerateSettings& settings, int64_t prompt_tokens) {
  if (settings.policy != nullptr && settings.schedule.active()) return settings.schedule.capacity();
  return prompt_tokens + settings.max_new_tokens;
}

int64_t reserved_kv_bytes(const ModelConfig& config, const GenerateRequest& request) {
  return reserved_kv_entries(request.settings, int64_t(request.prompt.size())) *
         config.kv_bytes_per_token();
}

std::vector<GenerateResult> generate_batch(const Model& model,
                                           std::span<const GenerateRequest> requests,
                                           const DecodeLimits& limits,
                                           const BatchCallbacks& callbacks) {
  std::vector<GenerateResult> results(requests.size());
  BatchDecoder decoder(model, limits,
                       {callbacks.on_token, [&](size_t request, const GenerateResult& result) {
                          results[request] = result;
                          if (callbacks.on_finished) callbacks.on_finished(request, result);
                        }});
  for (const GenerateRequest& request : requests) decoder.add(request);  // ids are the indices
  while (!decoder.idle()) decoder.step();
  return results;
}

GenerateResult generate(const Model& model, std::span<const int32_t> prompt,
                        const GenerateSettings& settings,
                        const std::function<void(int32_t)>& on_token) {
  const GenerateRequest request{prompt, settings};
  BatchCallbacks callbacks;
  if (on_token) callbacks.on_token = [&](size_t, int32_t token) { on_token(token); };
  return std::move(
      generate_batch(model, std::span(&request, 1), DecodeLimits{}, callbacks).front());
}

}  // namespace foresight
