// The `foresight` policy built from a judge in memory (training draws with and evaluates the
// judge it is training; the registry builds it from --judge FILE).
#pragma once
#include <memory>

#include "judge/judge.hpp"
#include "policy/policy.hpp"

namespace foresight {

// `sample`: draw the evictions from the top 2k phi with the sequence's generator; else the k
// highest phi (topk mode).
std::unique_ptr<Policy> make_foresight_policy(Judge judge, bool sample);

}  // namespace foresight
