// The normalizer stage of a tokenizer.json: Unicode NFC or nothing (the byte-level tokenizers
// this project loads use no other).
#pragma once
#include <string>
#include <string_view>

#include "core/json_file.hpp"

namespace foresight {

// NFC of `text`. Stretches that are not valid UTF-8 are copied unchanged (and split the text:
// characters on either side of an invalid byte are composed separately), so any byte string
// can be tokenized.
std::string nfc(std::string_view text);

class Normalizer {
 public:
  // `spec` is the "normalizer" field: null, {"type": "NFC"}, or a "Sequence" of those.
  // Any other type is an Error naming it.
  static Normalizer from_json(const Json& spec);

  std::string apply(std::string_view text) const { return nfc_ ? nfc(text) : std::string(text); }

 private:
  bool nfc_ = false;
};

}  // namespace foresight
