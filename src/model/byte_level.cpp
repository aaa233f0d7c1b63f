#include "model/byte_level.hpp"

#include <array>

namespace foresight {
namespace {

std::string utf8_encode(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

struct Alphabet {
  std::array<std::string, 256> char_of_byte;
  // Every character of the alphabet is below U+0200, so the inverse is a small table.
  std::array<int, 0x200> byte_of_char;

  Alphabet() {
    byte_of_char.fill(-1);
    // Printable Latin-1 bytes stand for themselves; the others (controls, space, soft hyphen...)
    // are moved, in byte order, to U+0100 and up. This is the table GPT-2 published and every
    // byte-level vocabulary since has been written in.
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      char32_t cp = printable ? static_cast<char32_t>(b) : next++;
      char_of_byte[b] = utf8_encode(cp);
      byte_of_char[cp] = b;
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet table;
  return table;
}

}  // namespace

const std::string& byte_level_char(unsigned char byte) { return alphabet().char_of_byte[byte]; }

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += byte_level_char(static_cast<unsigned char>(c));
  return out;
}

std::optional<std::string> byte_level_decode(std::string_view text) {
  const auto& table = alphabet().byte_of_char;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto c0 = static_cast<unsigned char>(text[i]);
    char32_t cp;
    if (c0 < 0x80) {
      cp = c0;
      i += 1;
    } else if ((c0 & 0xE0) == 0xC0 && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      cp = ((c0 & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F);
      i += 2;
      if (cp < 0x80) return std::nullopt;  // overlong encoding
    } else {
      return std::nullopt;  // three-byte characters and beyond are all outside the alphabet
    }
    if (cp >= table.size() || table[cp] < 0) return std::nullopt;
    out += static_cast<char>(table[cp]);
  }
  return out;
}

}  // namespace foresight
