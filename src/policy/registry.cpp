// The policies by name. A new policy is one file defining its factory, plus a line here.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "policy/policy.hpp"

namespace foresight {

std::unique_ptr<Policy> make_random_policy(const PolicyOptions&);
std::unique_ptr<Policy> make_streaming_policy(const PolicyOptions&);
std::unique_ptr<Policy> make_h2o_policy(const PolicyOptions&);
std::unique_ptr<Policy> make_tova_policy(const PolicyOptions&);
std::unique_ptr<Policy> make_snapkv_policy(const PolicyOptions&);
std::unique_ptr<Policy> make_rkv_policy(const PolicyOptions&);
std::unique_ptr<Policy> make_golden_policy(const PolicyOptions&);
std::unique_ptr<Policy> make_live_policy(const PolicyOptions&);
std::unique_ptr<Policy> make_foresight_policy(const PolicyOptions&, std::string_view label = "");

namespace {
struct Entry {
  std::string_view name;
  std::unique_ptr<Policy> (*make)(const PolicyOptions&);
  std::string_view keeps;  // what the policy keeps, and whose method it is
};
constexpr std::array kPolicies = {
    Entry{"full", nullptr, "every token (no eviction)"},
    Entry{"random", make_random_policy, "a uniformly random subset: the floor"},
    Entry{"streaming", make_streaming_policy,
          "the sinks and the most recent tokens (StreamingLLM, Xiao et al. 2024)"},
    Entry{"h2o", make_h2o_policy, "the most attention received so far (H2O, Zhang et al. 2023)"},
    Entry{"tova", make_tova_policy, "the newest query's attention (TOVA, Oren et al. 2024)"},
    Entry{"snapkv", make_snapkv_policy,
          "the recent queries' pooled attention (SnapKV, Li et al. 2024)"},
    Entry{"rkv", make_rkv_policy,
          "SnapKV's importance minus key redundancy (R-KV, Cai et al. 2025)"},
    Entry{"golden", make_golden_policy,
          "the most future attention: an oracle, replay only (ForesightKV's Golden Eviction)"},
    Entry{"live", make_live_policy,
          "the task's causal live set, then the most recent: the ceiling without the future"},
    Entry{
        "foresight", [](const PolicyOptions& o) { return make_foresight_policy(o); },
        "the learned judge's choice, --judge FILE [--judge-mode sample|topk] (ForesightKV, Dong et al. 2026)"},
};

double parse_value(std::string_view text, const PolicyParam& p, std::string_view spec,
                   std::string_view field) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    fail_field(field, " {}: '{}' is not a number for {}", spec, text, p.name);
  if (value < p.min || value > p.max || (p.integer && value != std::floor(value)))
    fail_field(field, " {}: {} takes {}{}..{}, not {}", spec, p.name,
               p.integer ? "a whole number in " : "", p.min, p.max, text);
  return value;
}

// Sets `name=value,...` on the policy's parameters.
void set_params(Policy& policy, std::string_view args, std::string_view spec,
                std::string_view field) {
  std::vector<PolicyParam> params = policy.params();
  std::string known;
  for (const PolicyParam& p : params)
    known += fmt::format("{}{}", known.empty() ? "" : ", ", p.name);
  for (size_t at = 0; at <= args.size();) {
    const size_t comma = std::min(args.find(',', at), args.size());
    const std::string_view item = args.substr(at, comma - at);
    const size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    auto p = std::find_if(params.begin(), params.end(),
                          [&](const PolicyParam& q) { return q.name == name; });
    if (eq == std::string_view::npos || p == params.end())
      fail_field(field, " {}: '{}' is not a parameter of {} (its parameters: {})", spec, item,
                 policy.name(), known.empty() ? "none" : known);
    *p->value = parse_value(item.substr(eq + 1), *p, spec, field);
    at = comma + 1;
  }
}

}  // namespace

std::unique_ptr<Policy> make_policy(std::string_view spec, const PolicyOptions& options,
                                    std::string_view field) {
  const size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  std::unique_ptr<Policy> policy;
  constexpr std::string_view kLabelled = "foresight-";
  if (name.starts_with(kLabelled) && name.size() > kLabelled.size()) {
    policy = make_foresight_policy(options, name.substr(kLabelled.size()));
  } else {
    auto e = std::find_if(kPolicies.begin(), kPolicies.end(),
                          [&](const Entry& x) { return x.name == name; });
    if (e == kPolicies.end())
      fail_field(field, ": unknown policy '{}' (known: {}, foresight-LABEL)", name,
                 fmt::join(policy_names(), ", "));
    if (!e->make) {
      if (colon != std::string_view::npos)
        fail_field(field, " {}: the full cache has no parameters", spec);
      return nullptr;
    }
    policy = e->make(options);
  }
  if (colon != std::string_view::npos) set_params(*policy, spec.substr(colon + 1), spec, field);
  return policy;
}

std::vector<std::string_view> policy_names() {
  std::vector<std::string_view> names;
  for (const Entry& e : kPolicies) names.push_back(e.name);
  return names;
}

std::string policy_help() {
  std::string help;
  for (const Entry& e : kPolicies) {
    help += fmt::format("{:<10} {}\n", e.name, e.keeps);
    if (!e.make || e.name == "foresight") continue;
    const std::unique_ptr<Policy> policy = e.make({});  // the parameters point into it
    for (const PolicyParam& p : policy->params())
      help +=
          fmt::format("{:<10}   {}={} ({}..{}) {}\n", "", p.name, *p.value, p.min, p.max, p.help);
  }
  return help;
}

}  // namespace foresight
