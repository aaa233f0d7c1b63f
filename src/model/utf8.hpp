// Text decoded token by token may end inside a UTF-8 character (byte-level tokens split
// characters); streamed text holds those bytes back until the character is complete.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace foresight {

// The length of `text` without a last character still missing bytes.
inline size_t complete_utf8_length(std::string_view text) {
  for (size_t back = 1; back <= std::min<size_t>(3, text.size()); ++back) {
    const auto byte = static_cast<unsigned char>(text[text.size() - back]);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte: keep looking
    const size_t need = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return need > back ? text.size() - back : text.size();
  }
  return text.size();
}

}  // namespace foresight
