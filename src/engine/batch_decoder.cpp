#include "engine/batch_decoder.hpp"

#include <algorithm>
#include <chrono>

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

}  // namespace

int64_t reservation_under_cap(const ModelConfig& config, const DecodeLimits& limits,
                              const GenerateRequest& request) {
  const int64_t reserved = reserved_kv_bytes(config, request);
  if (limits.kv_memory > 0 && reserved > limits.kv_memory)
    fail_field("kv_memory",
               ": the cap of {} bytes cannot hold even one sequence: {} prompt tokens and up to "
               "{} new ones reserve {} bytes of keys and values (fewer tokens or a smaller "
               "budget reserve less)",
               limits.kv_memory, request.prompt.size(), request.settings.max_new_tokens, reserved);
  return reserved;
}

bool has_room(const DecodeLimits& limits, int64_t in_use, size_t running, int64_t reserved) {
  return (limits.kv_memory == 0 || in_use + reserved <= limits.kv_memory) &&
         (limits.max_sequences == 0 || running < size_t(limits.max_sequences));
}

// A request being generated: its sequence (and so its cache), its sampler, and its output.
struct BatchDecoder::Running {
  size_t id;
  GenerateRequest request;
  int64_t reserved;
  std::unique_ptr<Sequence> seq;
  Sampler sampler;
  std::vector<float> logits{};  // after the last token run through the model
  GenerateResult result{};
  Clock::time_point decode_start{};
  int32_t token = 0;  // sampled this step
  bool done = false;

  // Samples the next token and decides whether the generation ends with it.
  void sample_next() {
    const GenerateSettings& s = request.settings;
    token = sampler.sample(logits);
    std::vector<int32_t>& tokens = result.tokens;
    tokens.push_back(token);
    if (std::find(s.stop_ids.begin(), s.stop_ids.end(), token) != s.stop_ids.end() ||
        (s.stop_after && s.stop_after(tokens)))
      done = result.stopped = true;
    else if (static_cast<int>(tokens.size()) == s.max_new_tokens)
      done = true;  // no forward pass for a token never used
  }

  GenerateResult finish() {
    GenerateResult out = std::move(result);
    out.decode_seconds = seconds_since(decode_start);
    const EvictionStats& stats = seq->stats();
    out.peak_kv_bytes = stats.peak_kv_bytes;
    out.evictions = stats.evictions;
    out.evicted_entries = stats.evicted_entries;
    out.eviction_seconds = stats.eviction_seconds;
    return out;
  }
};

namespace {

// Gives the request its sequence, with the cache's memory claimed up front, and prefills the
// prompt.
std::unique_ptr<BatchDecoder::Running> admit(const Model& model, size_t id,
                                             const GenerateRequest& request, int64_t reserved) {
  const GenerateSettings& s = request.settings;
  // The sampler and the policy draw from separate generators, so a policy that draws (random)
  // does not change which tokens a given seed samples.
  auto seq = std::make_unique<Sequence>(
      model.config(), SequenceSettings{.schedule = s.schedule,
                                       .policy = s.policy,
                                       .seed = s.sampling.seed ^ 0x5eed,
                                       .prompt_length = int64_t(request.prompt.size())});
  auto r = std::make_unique<BatchDecoder::Running>(
      BatchDecoder::Running{id, request, reserved, std::move(seq), Sampler(s.sampling)});
  r->seq->cache().reserve(int(reserved_kv_entries(s, int64_t(request.prompt.size()))));
  const auto t0 = Clock::now();
  r->logits = forward_tokens(model, *r->seq, request.prompt, LogitsWanted::Last, s.prefill_chunk);
  r->result.prefill_seconds = seconds_since(t0);
  r->decode_start = Clock::now();
  r->done = s.max_new_tokens == 0;
  return r;
}

}  // namespace

BatchDecoder::BatchDecoder(const Model& model, const DecodeLimits& limits, BatchCallbacks callbacks)
    : model_(model), limits_(limits), callbacks_(std::move(callbacks)) {
  if (limits.kv_memory < 0)
    fail_field("kv_memory", " must be >= 0 bytes, got {}", limits.kv_memory);
  if (limits.max_sequences < 0)
    fail_field("max_batch", " must be >= 0 sequences, got {}", limits.max_sequences);
}

BatchDecoder::~BatchDecoder() = default;

size_t BatchDecoder::add(const GenerateRequest& request) {
  check_request(request);
  waiting_.push_back({next_id_, request, reservation_under_cap(model_.config(), limits_, request)});
  return next_id_++;
}

void BatchDecoder::cancel(size_t id) {
  std::erase_if(waiting_, [&](const Waiting& w) { return w.id == id; });
  for (const auto& r : running_)
    if (r->id == id) in_use_ -= r->reserved;
  std::erase_if(running_, [&](const auto& r) { return r->id == id; });
}

void BatchDecoder::retire_finished() {
  for (const auto& r : running_) {
    if (!r->done) continue;
    in_use_ -= r->reserved;
    const GenerateResult result = r->finish();
    if (callbacks_.on_finished) callbacks_.on_finished(r->id, result);
  }
  std::erase_if(running_, [](const auto& r) { return r->done; });  // frees their caches
}

void BatchDecoder::step() {
  // In order: a request that does not fit waits for memory rather than being overtaken.
  while (!waiting_.empty() &&
         has_room(limits_, in_use_, running_.size(), waiting_.front().reserved)) {
    const Waiting w = waiting_.front();
    waiting_.pop_front();
    running_.push_back(admit(model_, w.id, w.request, w.reserved));
    in_use_ += w.reserved;
  }
  peak_in_use_ = std::max(peak_in_use_, in_use_);
  retire_finished();  // those asked for no tokens
  if (running_.empty()) return;

  parallel_jobs(int64_t(running_.size()), [&](int64_t i) { running_[i]->sample_next(); });
  if (callbacks_.on_token)
    for (const auto& r : running_) callbacks_.on_token(r->id, r->token);
  retire_finished();
  if (running_.empty()) return;

  std::vector<Sequence*> sequences;
  std::vector<int32_t> ids;
  for (const auto& r : running_) sequences.push_back(r->seq.get()), ids.push_back(r->token);
  const std::vector<float> logits = forward_batch(model_, sequences, ids);
  const size_t vocab = logits.size() / running_.size();
  for (size_t i = 0; i < running_.size(); ++i)
    running_[i]->logits.assign(logits.begin() + i * vocab, logits.begin() + (i + 1) * vocab);
}

}  // namespace foresight
