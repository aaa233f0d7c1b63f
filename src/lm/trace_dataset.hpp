// Training examples from JSONL files of {"prompt": ..., "trace": ...} lines (other fields are
// ignored): the tokens of the prompt, then of the trace, then <|endoftext|>. The loss is
// taken on the trace and the end token, so the model learns to write traces and to stop.
// The examples `live_mask` chooses (numbered in reading order over all files) get their
// visibility limits; that needs one token a character (a byte-level tokenizer).
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "lm/live_mask.hpp"
#include "model/tokenizer.hpp"

namespace foresight {

struct Example {
  std::vector<int32_t> ids;  // prompt + trace + end token
  int32_t first_target = 0;  // ids[first_target..] are predicted: the trace and the end token
  std::vector<int32_t> visible_until;  // per input, or empty: a full cache (lm/live_mask.hpp)
  int64_t inputs() const { return static_cast<int64_t>(ids.size()) - 1; }
};

struct TraceDataset {
  std::vector<Example> examples;
  int64_t dropped = 0;     // examples longer than the limit
  int64_t tokens() const;  // input tokens over all examples
};

// Reads every line of the files in order; examples of more than max_tokens input tokens are
// dropped (and counted). Errors name the file and line: invalid JSON, a missing or non-string
// field, an empty prompt. Blank lines are skipped.
TraceDataset read_trace_dataset(std::span<const std::filesystem::path> files,
                                const Tokenizer& tokenizer, int32_t end_id, int64_t max_tokens,
                                const LiveMaskSettings& live_mask = {}, uint64_t seed = 0);

}  // namespace foresight
