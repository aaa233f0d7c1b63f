#include "serve/completion_request.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/json_file.hpp"

namespace foresight {

namespace {

constexpr size_t kMaxStops = 4;        // as OpenAI
constexpr size_t kMaxStopBytes = 256;  // a stop string is a short marker
constexpr size_t kMaxMessages = 1024;  // far more turns than any context holds
constexpr std::string_view kRoles[] = {"system", "user", "assistant"};

// Fields OpenAI defines that foresight accepts only at their default: anything else would be
// silently ignored otherwise.
bool is_default_of_unsupported(std::string_view name, const Json& v) {
  if (name == "n" || name == "best_of") return v.is_number_integer() && v.get<int64_t>() == 1;
  if (name == "presence_penalty" || name == "frequency_penalty")
    return v.is_number() && v.get<double>() == 0.0;
  if (name == "logprobs" || name == "echo") return v.is_null() || v == false;
  if (name == "logit_bias") return v.is_null() || (v.is_object() && v.empty());
  if (name == "user" || name == "model") return v.is_string();  // the one model is served
  return false;
}

std::string text_field(const Json& v, std::string_view name) {
  if (!v.is_string()) fail_field(name, " must be a string");
  return v.get<std::string>();
}

int64_t integer_field(const Json& v, std::string_view name, int64_t min, int64_t max) {
  if (!v.is_number_integer()) fail_field(name, " must be a whole number");
  // A value beyond int64 arrives as unsigned.
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(max))
    fail_field(name, " must be at most {}", max);
  const int64_t value = v.get<int64_t>();
  if (value < min || value > max) fail_field(name, " must be in {}..{}, got {}", min, max, value);
  return value;
}

float number_field(const Json& v, std::string_view name) {
  if (!v.is_number()) fail_field(name, " must be a number");
  const double value = v.get<double>();  // further ranges are the sampler's
  if (!(std::abs(value) <= std::numeric_limits<float>::max()))
    fail_field(name, " must be a finite number, got {}", value);
  return float(value);
}

std::vector<std::string> stop_field(const Json& v) {
  std::vector<std::string> stops;
  if (v.is_null()) return stops;
  if (v.is_string()) stops.push_back(v.get<std::string>());
  else if (v.is_array() && v.size() <= kMaxStops)
    for (const Json& s : v) stops.push_back(text_field(s, "stop"));
  else fail_field("stop", " must be a string or an array of at most {} strings", kMaxStops);
  for (const std::string& s : stops)
    if (s.empty() || s.size() > kMaxStopBytes)
      fail_field("stop", " strings must have 1..{} bytes", kMaxStopBytes);
  return stops;
}

std::vector<ChatMessage> messages_field(const Json& v) {
  if (!v.is_array() || v.empty() || v.size() > kMaxMessages)
    fail_field("messages", " must be an array of 1..{} messages", kMaxMessages);
  std::vector<ChatMessage> messages;
  for (const Json& m : v) {
    if (!m.is_object() || !m.contains("role") || !m.contains("content"))
      fail_field("messages", " must each be an object with a role and a content");
    ChatMessage message{text_field(m["role"], "messages"), text_field(m["content"], "messages")};
    if (std::find(std::begin(kRoles), std::end(kRoles), message.role) == std::end(kRoles))
      fail_field("messages", ": unknown role '{}' (known: system, user, assistant)", message.role);
    messages.push_back(std::move(message));
  }
  return messages;
}

}  // namespace

CompletionRequest parse_completion_request(std::string_view body, bool chat) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) fail_field("body", " is not valid JSON");
  if (!json.is_object()) fail_field("body", " must be a JSON object");
  CompletionRequest r;
  r.chat = chat;
  constexpr int kInt = std::numeric_limits<int>::max();
  for (const auto& item : json.items()) {
    const std::string& name = item.key();
    const Json& v = item.value();
    if (name == (chat ? "messages" : "prompt")) {
      if (chat) r.messages = messages_field(v);
      else r.prompt = text_field(v, name);
    } else if (name == "max_tokens" || (chat && name == "max_completion_tokens")) {
      if (!v.is_null()) r.max_tokens = int(integer_field(v, name, 1, kInt));
    } else if (name == "temperature") {
      if (!v.is_null()) r.temperature = number_field(v, name);
    } else if (name == "top_p") {
      if (!v.is_null()) r.top_p = number_field(v, name);
    } else if (name == "top_k") {
      if (!v.is_null()) r.top_k = int(integer_field(v, name, 0, kInt));
    } else if (name == "seed") {
      if (!v.is_null()) r.seed = uint64_t(integer_field(v, name, 0, INT64_MAX));
    } else if (name == "stop") {
      r.stop = stop_field(v);
    } else if (name == "stream") {
      if (!v.is_boolean() && !v.is_null()) fail_field(name, " must be true or false");
      r.stream = v == true;
    } else if (name == "ignore_eos") {
      if (!v.is_boolean()) fail_field(name, " must be true or false");
      r.ignore_eos = v.get<bool>();
    } else if (name == "stream_options") {
      if (!v.is_null() && !v.is_object()) fail_field(name, " must be an object");
      for (const auto& [option, value] : v.items()) {
        if (option != "include_usage" || !value.is_boolean())
          fail_field(name, ": only include_usage (true or false) is known");
        r.include_usage = value.get<bool>();
      }
    } else if (name == "kv_policy" || name == "kv_sinks" || name == "kv_judge") {
      std::optional<std::string>& field = name == "kv_policy"  ? r.kv_policy
                                          : name == "kv_sinks" ? r.kv_sinks
                                                               : r.kv_judge;
      if (v.is_string()) field = v.get<std::string>();
      else if (name == "kv_sinks" && v.is_number_integer())  // kv_sinks: 4 as well as "4"
        field = std::to_string(integer_field(v, name, 0, kInt));
      else if (!v.is_null()) fail_field(name, " must be a string");
    } else if (name == "kv_budget") {
      if (!v.is_null()) r.kv_budget = int(integer_field(v, name, 1, kInt));
    } else if (name == "kv_evict_every") {
      if (!v.is_null()) r.kv_evict_every = int(integer_field(v, name, 1, kInt));
    } else if (name.empty()) {
      fail_field("body", " has a field with an empty name");
    } else if (!is_default_of_unsupported(name, v)) {
      fail_field(name, ": not a field foresight serves (or not at this value)");
    }
  }
  if (chat && r.messages.empty()) fail_field("messages", " is required");
  if (!chat && !json.contains("prompt")) fail_field("prompt", " is required");
  return r;
}

}  // namespace foresight
