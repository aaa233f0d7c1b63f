// The "model" stage of a byte-level tokenizer.json: BPE over the 256-byte alphabet. A piece of
// raw bytes starts as one token per byte and the ranked merges are applied, lowest rank first
// (leftmost first among equal ranks), until none applies. Encodings of short pieces are cached,
// since natural text repeats the same words over and over.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json_file.hpp"

namespace foresight {

class BpeModel {
 public:
  // `spec` is the "model" field, of type "BPE". Errors name the field: wrong types, an id used
  // twice, a merge naming a token that is not in the vocab, a missing byte token.
  static BpeModel from_json(const Json& spec);

  // Appends the ids of one pre-tokenized piece (raw bytes, not byte-level characters).
  // Thread-safe.
  void encode(std::string_view piece, std::vector<int32_t>& ids) const;

  // Token strings (in the byte-level alphabet) to ids, as in the file.
  const std::unordered_map<std::string, int32_t>& vocab() const { return vocab_; }

 private:
  struct Merge {
    int32_t rank;    // position in the merges list: lower merges first
    int32_t result;  // id of the concatenation
  };
  struct Cache;

  std::vector<int32_t> merge_bytes(std::string_view piece) const;

  std::unordered_map<std::string, int32_t> vocab_;
  std::array<int32_t, 256> byte_ids_{};
  std::unordered_map<uint64_t, Merge> merges_;  // key: left id << 32 | right id
  bool ignore_merges_ = false;                  // a piece that is itself a token is emitted whole
  std::shared_ptr<Cache> cache_;                // shared by copies; guarded by its own mutex
};

}  // namespace foresight
