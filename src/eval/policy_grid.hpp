// The (policy, budget) combinations an evaluation or a fidelity run covers, parsed from the
// command line's comma-separated lists: "full" once (no budget), every other policy once per
// budget, all under the same eviction length and sinks, each beside its policy's recent window. A
// name may end in "+prompt": that policy with every prompt token protected (--sinks prompt for it
// alone), e.g. "streaming+prompt", the prompt kept plus the recent window. A policy's parameters
// follow its name (and suffix) after a colon: "snapkv:window=16,kernel=5",
// "snapkv+prompt:window=16".
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kv/schedule.hpp"
#include "policy/policy.hpp"

namespace foresight {

struct PolicyRun {
  std::string policy;         // as listed, "+prompt" included
  std::optional<int> budget;  // nullopt for the full cache
  EvictionSchedule schedule;
  std::shared_ptr<const Policy> impl;  // null for the full cache
};

// `sinks` is --sinks: "" for each policy's default, a number, or "prompt"; each run's recent
// window is its policy's (a judge's, as trained; else L); `options` go to every policy
// (foresight's judge).
// Errors name the option (`policies_option`, `budgets_option`): unknown policies, repeated
// entries, budgets that are not positive integers, budgets that cannot hold the protected
// window, a budgeted policy without budgets.
std::vector<PolicyRun> policy_grid(std::string_view policies, std::string_view budgets,
                                   int evict_every, std::string_view sinks,
                                   const PolicyOptions& options = {},
                                   std::string_view policies_field = "policies",
                                   std::string_view budgets_field = "budgets");

// A comma-separated list of positive budgets; a FieldError naming `field` otherwise.
std::vector<int> parse_budgets(std::string_view text, std::string_view field);

// "h2o@256" or "full".
std::string run_label(const PolicyRun& run);

}  // namespace foresight
