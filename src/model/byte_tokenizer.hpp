// A minimal byte-level BPE tokenizer.json for the project's small random and bundled models:
// the 256 byte tokens (id = byte value), optional merges, then the Qwen special tokens, with
// Qwen3's NFC normaliser and pre-split regex. Any text round-trips through it, and chat
// prompts tokenize the way they do for the real Qwen3 (specials as single tokens).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace foresight {

struct ByteTokenizer {
  std::string json;                                          // the tokenizer.json text
  int32_t endoftext_id = 0, im_start_id = 0, im_end_id = 0;  // special
  int32_t think_id = 0, think_end_id = 0;  // <think>, </think>: added, not special
  int32_t vocab_size = 0;                  // 256 + merges + 5
};

// Each merge joins two tokens given as raw bytes, each a byte or the result of an earlier
// merge; merge i creates token 256 + i. Error for a merge of unknown tokens or one that
// repeats an earlier result.
ByteTokenizer make_byte_level_tokenizer(
    std::span<const std::pair<std::string, std::string>> merges = {});

}  // namespace foresight
