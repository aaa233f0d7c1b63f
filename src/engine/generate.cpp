#include "engine/generate.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace foresight {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void check_request(const GenerateRequest& request) {
  const GenerateSettings& s = request.settings;
  if (request.prompt.empty()) fail("generate: the prompt has no tokens");
  if (s.max_new_tokens < 0) fail_field("max_new_tokens", " must be >= 0");
  if (s.prefill_chunk < 1) fail("generate: prefill chunk must be >= 1");
  s.sampling.validate();
}

// A request being generated: its sequence (and so its cache), its sampler, and its output.
struct Running {
  size_t request;
  std::unique_ptr<Sequence> seq;
  Sampler sampler;
  std::vector<float> logits{};  // after the last token run through the model
  GenerateResult result{};
  Clock::time_point decode_start{};
  int32_t token = 0;  // sampled this step
  bool done = false;
};

// Gives the request its sequence, with the cache's memory claimed up front, and prefills the
// prompt.
Running admit(const Model& model, const GenerateRequest& request, size_t index) {
  const GenerateSettings& s = request.settings;
  // The sampler and the policy draw from separate generators, so a policy that draws (random)
  // does not change which tokens a given seed samples.
  auto seq = std::make_unique<Sequence>(
      model.config(), SequenceSettings{.schedule = s.schedule,
                                       .policy = s.policy,
                                       .seed = s.sampling.seed ^ 0x5eed,
                                       .prompt_length = int64_t(request.prompt.size())});
  Running r{index, std::move(seq), Sampler(s.sampling)};
  r.seq->cache().reserve(int(reserved_kv_entries(s, int64_t(request.prompt.size()))));
  const auto t0 = Clock::now();
  r.logits = forward_tokens(model, *r.seq, request.prompt, LogitsWanted::Last, s.prefill_chunk);
  r.result.prefill_seconds = seconds_since(t0);
  r.decode_start = Clock::now();
  r.done = s.max_new_tokens == 0;
  return r;
}

// Samples the next token and decides whether the generation ends with it.
void sample_next(Running& r, const GenerateSettings& s) {
  r.token = r.sampler.sample(r.logits);
  std::vector<int32_t>& tokens = r.result.tokens;
  tokens.push_back(r.token);
  if (std::find(s.stop_ids.begin(), s.stop_ids.end(), r.token) != s.stop_ids.end() ||
      (s.stop_after && s.stop_after(tokens)))
    r.done = r.result.stopped = true;
  else if (static_cast<int>(tokens.size()) == s.max_new_tokens)
    r.done = true;  // no forward pass for a token never used
}

GenerateResult finish(Running& r) {
  GenerateResult result = std::move(r.result);
  result.decode_seconds = seconds_since(r.decode_start);
  const EvictionStats& stats = r.seq->stats();
  result.peak_kv_bytes = stats.peak_kv_bytes;
  result.evictions = stats.evictions;
  result.evicted_entries = stats.evicted_entries;
  result.eviction_seconds = stats.eviction_seconds;
  return result;
}

}  // namespace

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
  const int64_t kv_memory = limits.kv_memory;
  if (kv_memory < 0) fail_field("kv_memory", " must be >= 0 bytes, got {}", kv_memory);
  if (limits.max_sequences < 0)
    fail_field("max_batch", " must be >= 0 sequences, got {}", limits.max_sequences);
  std::vector<int64_t> reserved;
  for (size_t i = 0; i < requests.size(); ++i) {
    check_request(requests[i]);
    reserved.push_back(reserved_kv_bytes(model.config(), requests[i]));
    if (kv_memory > 0 && reserved.back() > kv_memory)
      fail_field("kv_memory",
                 " {} bytes cannot hold even one sequence: request {} reserves {} bytes of "
                 "keys and values",
                 kv_memory, i, reserved.back());
  }

  std::vector<GenerateResult> results(requests.size());
  std::vector<Running> running;
  int64_t in_use = 0;  // reserved bytes of the running sequences
  const auto room = [&](size_t request) {
    return (kv_memory == 0 || in_use + reserved[request] <= kv_memory) &&
           (limits.max_sequences == 0 || running.size() < size_t(limits.max_sequences));
  };
  auto retire_finished = [&] {
    for (Running& r : running) {
      if (!r.done) continue;
      results[r.request] = finish(r);
      in_use -= reserved[r.request];
      if (callbacks.on_finished) callbacks.on_finished(r.request, results[r.request]);
    }
    std::erase_if(running, [](const Running& r) { return r.done; });  // frees their caches
  };
  size_t next = 0;
  while (next < requests.size() || !running.empty()) {
    // In order: a request that does not fit waits for memory rather than being overtaken.
    while (next < requests.size() && room(next)) {
      running.push_back(admit(model, requests[next], next));
      in_use += reserved[next++];
    }
    retire_finished();  // those asked for no tokens
    if (running.empty()) continue;

    parallel_jobs(int64_t(running.size()), [&](int64_t i) {
      sample_next(running[i], requests[running[i].request].settings);
    });
    if (callbacks.on_token)
      for (const Running& r : running) callbacks.on_token(r.request, r.token);
    retire_finished();
    if (running.empty()) continue;

    std::vector<Sequence*> sequences;
    std::vector<int32_t> ids;
    for (Running& r : running) sequences.push_back(r.seq.get()), ids.push_back(r.token);
    const std::vector<float> logits = forward_batch(model, sequences, ids);
    const size_t vocab = logits.size() / running.size();
    for (size_t i = 0; i < running.size(); ++i)
      running[i].logits.assign(logits.begin() + i * vocab, logits.begin() + (i + 1) * vocab);
  }
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
