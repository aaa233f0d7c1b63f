#include "serve/request_settings.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.hpp"

namespace foresight {

namespace {

// Ends the generation once its text holds a stop string. Only the newest tokens are decoded:
// each gives at least one byte, so the last `longest` tokens hold any stop string that the
// newest token completes.
std::function<bool(std::span<const int32_t>)> stop_after(const Tokenizer& tokenizer,
                                                         const std::vector<std::string>& stops) {
  if (stops.empty()) return {};
  size_t longest = 0;
  for (const std::string& s : stops) longest = std::max(longest, s.size());
  return [tokenizer, stops, longest](std::span<const int32_t> generated) {
    const std::string tail =
        tokenizer.decode(generated.last(std::min(longest, generated.size())), true);
    return std::any_of(stops.begin(), stops.end(),
                       [&](const std::string& s) { return tail.find(s) != std::string::npos; });
  };
}

}  // namespace

PolicyRun PolicyCache::get(const std::string& policy, int budget, int evict_every,
                           const std::string& sinks, const PolicyOptions& options) {
  const std::string key = fmt::format("{}\n{}\n{}\n{}", policy, budget, evict_every, sinks);
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = runs_.find(key); it != runs_.end()) return it->second;
  }
  // One policy and at most one budget: the grid has exactly one run.
  const PolicyRun run = policy_grid(policy, budget > 0 ? std::to_string(budget) : "", evict_every,
                                    sinks, options, "kv_policy", "kv_budget")
                            .front();
  const std::lock_guard<std::mutex> lock(mutex_);
  if (runs_.size() < kMaxEntries) runs_.emplace(key, run);
  return run;
}

PreparedRequest prepare_request(const CompletionRequest& request, const ServeDefaults& defaults,
                                const Model& model, const Tokenizer& tokenizer,
                                PolicyCache& policies) {
  PreparedRequest out;
  const std::string prompt_field = request.chat ? "messages" : "prompt";
  out.prompt = tokenizer.encode(request.chat ? format_chat_messages(request.messages, false)
                                             : request.prompt);
  if (out.prompt.empty()) fail_field(prompt_field, " encodes to no tokens");
  const int64_t context = model.config().max_position;
  if (int64_t(out.prompt.size()) >= context)
    fail_field(prompt_field, " has {} tokens: the context holds {}, with room for one more",
               out.prompt.size(), context);
  const int64_t room = context - int64_t(out.prompt.size());

  GenerateSettings& s = out.settings;
  s.max_new_tokens = int(std::min<int64_t>(defaults.max_tokens, room));
  if (request.max_tokens) {
    if (*request.max_tokens > room)
      fail_field("max_tokens",
                 " {} does not fit: the prompt's {} tokens leave {} of the {} context",
                 *request.max_tokens, out.prompt.size(), room, context);
    s.max_new_tokens = *request.max_tokens;
  }
  s.sampling = defaults.sampling;
  if (request.temperature) s.sampling.temperature = *request.temperature;
  if (request.top_p) s.sampling.top_p = *request.top_p;
  if (request.top_k) s.sampling.top_k = *request.top_k;
  if (request.seed) s.sampling.seed = *request.seed;
  s.sampling.vocab_limit = tokenizer.vocab_size();
  s.sampling.validate();
  if (!request.ignore_eos) s.stop_ids = model.config().eos_ids;
  s.stop_after = stop_after(tokenizer, request.stop);

  std::string policy = request.kv_policy.value_or(defaults.policy);
  if (request.kv_judge) {  // foresight with the judge of that label (--judge LABEL=FILE)
    if (policy.substr(0, policy.find_first_of("+:")) != "foresight")
      fail_field("judge", " picks the judge of policy foresight, not of '{}'", policy);
    policy.insert(std::string_view("foresight").size(), "-" + *request.kv_judge);
  }
  const PolicyRun run =
      policies.get(policy, request.kv_budget.value_or(defaults.budget),
                   request.kv_evict_every.value_or(defaults.evict_every),
                   request.kv_sinks.value_or(defaults.sinks), defaults.policy_options);
  if (run.impl && run.impl->needs_future())
    fail_field("policy", ": '{}' reads the future (an oracle): it cannot generate", policy);
  s.policy = run.impl;
  s.schedule = run.schedule;
  out.policy = run_label(run);
  return out;
}

std::string request_field(const std::string& library_field) {
  static const std::map<std::string, std::string> renamed = {{"max_new_tokens", "max_tokens"},
                                                             {"kv_memory", "max_tokens"},
                                                             {"policy", "kv_policy"},
                                                             {"budget", "kv_budget"},
                                                             {"evict_every", "kv_evict_every"},
                                                             {"sinks", "kv_sinks"},
                                                             {"judge", "kv_judge"},
                                                             {"judge_mode", "kv_judge"}};
  const auto it = renamed.find(library_field);
  return it == renamed.end() ? library_field : it->second;
}

}  // namespace foresight
