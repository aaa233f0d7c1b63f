// The judge's input standardisation (judge/feature_set.hpp): each input's mean and standard
// deviation per (layer, KV head), measured on the raw inputs of the candidates of every eviction
// along the golden path of training traces. Inputs that never vary (std below 1e-6) keep
// std 1, so they pass through shifted but unscaled.
#pragma once
#include <vector>

#include "eval/trace.hpp"
#include "judge/judge.hpp"
#include "kv/schedule.hpp"
#include "model/model.hpp"
#include "train/future_cache.hpp"

namespace foresight {

// Sets judge's InputMean and InputStd tensors from the first `count` of `traces` (their future
// attention from `futures`) replayed under `schedules` (trace i under schedules[i % size]),
// traces in parallel; a judge of the paper's (unstandardised) set is left as it is.
void measure_input_standardisation(const Model& model, const std::vector<Trace>& traces,
                                   FutureCache& futures, size_t count,
                                   const std::vector<EvictionSchedule>& schedules, Judge& judge);

}  // namespace foresight
