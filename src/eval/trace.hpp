// Reasoning traces: token sequences (prompt + the model's own continuation) that teacher-forced
// scoring, Golden Eviction and judge training replay through the model.
//
// Two file formats are read:
//  - `.safetensors`, written by `foresight traces`: all traces concatenated in tensor "ids"
//    (I32), with "offsets" (I64, n + 1 starts), "prompt_lens" (I32, n), and optionally the
//    full-cache reference "ce" and "entropy" (F32, aligned with "ids"); metadata holds
//    "format" = "foresight-traces-1", "traces" (a JSON array of {"id", "group"}) and
//    "settings" (JSON: model, seed, sampling).
//  - `.jsonl`: one `{"ids": [...], "prompt_len": n}` per line, optional "id" and "group";
//    no reference losses (scoring computes them).
// Per-token arrays are aligned with ids: ce[t] is the cross-entropy of predicting ids[t] from
// ids[0..t) and entropy[t] the entropy of that prediction; index 0 is 0 (nothing predicts it).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "core/json_file.hpp"

namespace foresight {

struct Trace {
  std::string id, group = "all";
  std::vector<int32_t> ids;
  int prompt_len = 0;              // the first `prompt_len` ids are the prompt; the rest are scored
  std::vector<float> ce, entropy;  // empty when no full-cache reference is stored

  bool has_reference() const { return !ce.empty(); }
};

// Reads either format (by extension). Errors name the file (and line for JSONL) and the problem:
// empty traces, prompt_len outside [1, size), ids outside [0, vocab) when vocab > 0, NaN or
// negative reference losses, inconsistent tensor sizes.
std::vector<Trace> read_traces(const std::filesystem::path& path, int vocab = 0);

// Writes the safetensors format atomically. All traces must have reference losses or none.
void write_traces(const std::filesystem::path& path, const std::vector<Trace>& traces,
                  const Json& settings);

// The "settings" stored in a traces safetensors file ({} for JSONL or when absent).
Json read_trace_settings(const std::filesystem::path& path);

}  // namespace foresight
