// The policies by name. A new policy is one file defining its factory, plus a line here.
#include <array>

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
};
constexpr std::array kPolicies = {
    Entry{"full", nullptr},
    Entry{"random", make_random_policy},
    Entry{"streaming", make_streaming_policy},
    Entry{"h2o", make_h2o_policy},
    Entry{"tova", make_tova_policy},
    Entry{"snapkv", make_snapkv_policy},
    Entry{"rkv", make_rkv_policy},
    Entry{"golden", make_golden_policy},
    Entry{"live", make_live_policy},
    Entry{"foresight", [](const PolicyOptions& o) { return make_foresight_policy(o); }},
};
}  // namespace

std::unique_ptr<Policy> make_policy(std::string_view name, const PolicyOptions& options,
                                    std::string_view option) {
  constexpr std::string_view kLabelled = "foresight-";
  if (name.starts_with(kLabelled) && name.size() > kLabelled.size())
    return make_foresight_policy(options, name.substr(kLabelled.size()));
  std::string known;
  for (const Entry& e : kPolicies) {
    if (e.name == name) return e.make ? e.make(options) : nullptr;
    known += (known.empty() ? "" : ", ") + std::string(e.name);
  }
  fail("{}: unknown policy '{}' (known: {}, foresight-LABEL)", option, name, known);
}

int default_sinks(std::string_view policy_name) { return policy_name == "streaming" ? 4 : 0; }

}  // namespace foresight
