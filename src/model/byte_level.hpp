// The GPT-2 byte-level alphabet: every byte 0..255 is given a printable Unicode character, so a
// BPE vocabulary of plain strings can still name every byte sequence. Byte-level tokenizers
// (GPT-2, Llama 3, Qwen) store their vocab in this alphabet: a space is "Ġ", a newline "Ċ".
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace foresight {

// The UTF-8 encoding of the character that stands for `byte`.
const std::string& byte_level_char(unsigned char byte);

// Maps raw bytes to their byte-level characters ("a b" -> "aĠb").
std::string byte_level_encode(std::string_view bytes);

// Inverse of byte_level_encode; nullopt when `text` holds a character outside the alphabet
// (or is not valid UTF-8).
std::optional<std::string> byte_level_decode(std::string_view text);

}  // namespace foresight
