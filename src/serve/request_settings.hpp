// Turns a parsed completion request into what the batch decodes: the prompt's tokens (the chat
// messages in the model's ChatML format, as `generate --chat`) and the GenerateSettings, each
// setting the request leaves out taken from the server's command line.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/generate.hpp"
#include "eval/policy_grid.hpp"
#include "model/tokenizer.hpp"
#include "serve/completion_request.hpp"

namespace foresight {

// What `foresight serve`'s command line sets for every request.
struct ServeDefaults {
  std::string policy = "full";
  int budget = 0;  // 0: none given (a budgeted policy then needs kv_budget)
  int evict_every = EvictionSchedule{}.evict_every;
  std::string sinks;  // "": the policy's default
  int max_tokens = 256;
  SamplingSettings sampling;
  PolicyOptions policy_options;  // the judges (LABEL=FILE) kv_judge picks from
};

// Policies built once per distinct spec and shared by every request that names it (a policy
// holds no per-sequence state, and foresight's judge is read from its file once).
class PolicyCache {
 public:
  PolicyRun get(const std::string& policy, int budget, int evict_every, const std::string& sinks,
                const PolicyOptions& options);

 private:
  static constexpr size_t kMaxEntries = 256;  // beyond it, built per request (no unbounded growth)
  std::mutex mutex_;
  std::map<std::string, PolicyRun> runs_;
};

struct PreparedRequest {
  std::vector<int32_t> prompt;
  GenerateSettings settings;
  std::string policy;  // the run's label ("full", "h2o@256"), for the metrics
};

// FieldError naming the library's field (request_field gives the request's, the command line's
// flag is the same name): an unknown policy or judge, a budget that cannot hold
// the protected window, a prompt that encodes to nothing or leaves the context no room,
// max_tokens beyond the context, sampling settings out of range.
PreparedRequest prepare_request(const CompletionRequest& request, const ServeDefaults& defaults,
                                const Model& model, const Tokenizer& tokenizer,
                                PolicyCache& policies);

// The request field a library field is (max_new_tokens is max_tokens, budget is kv_budget, ...).
std::string request_field(const std::string& library_field);

}  // namespace foresight
