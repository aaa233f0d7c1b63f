// The body of an OpenAI completion request (POST /v1/completions, /v1/chat/completions) as
// foresight reads it: the prompt or the messages, the sampling settings, stop strings, streaming,
// and the eviction settings as extension fields (kv_policy, kv_budget, kv_evict_every,
// kv_sinks, kv_judge). A field left out stays unset, so the server's defaults apply. Only the
// body's shape and ranges are checked here; what needs the model (the prompt's length, the
// policy's name) is checked when the request is turned into settings.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/chat.hpp"

namespace foresight {

struct CompletionRequest {
  bool chat = false;                  // /v1/chat/completions
  std::string prompt;                 // /v1/completions
  std::vector<ChatMessage> messages;  // /v1/chat/completions
  std::optional<int> max_tokens;
  std::optional<float> temperature, top_p;
  std::optional<int> top_k;
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;  // the text ends before the first of these it would contain
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage: a last chunk with the usage
  bool ignore_eos = false;     // as vLLM's: generate max_tokens whatever (benchmarks)
  std::optional<std::string> kv_policy, kv_sinks, kv_judge;
  std::optional<int> kv_budget, kv_evict_every;
};

// Parses a request body; FieldError naming the request's field (the body itself as "body") when
// it is not JSON, a field has the wrong type or an out-of-range value, a field is unknown, or a
// required one is missing.
CompletionRequest parse_completion_request(std::string_view body, bool chat);

}  // namespace foresight
