#include "tasks/tagged_number.hpp"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "tasks/draw.hpp"

namespace foresight {
namespace {

char tag(int column, bool upper) { return static_cast<char>((upper ? 'A' : 'a') + column); }

}  // namespace

Digits random_digits(Rng& rng, int columns) {
  Digits x(columns);
  for (int& d : x) d = draw_below(rng, 10);
  return x;
}

int draw_multiplier(Rng& rng) { return std::array{3, 7, 9}[draw_below(rng, 3)]; }

std::string tagged_digits(const Digits& x) {
  std::string out;
  for (size_t c = 0; c < x.size(); ++c) {
    out += tag(static_cast<int>(c), true);
    out += static_cast<char>('0' + x[c]);
  }
  return out;
}

Digits append_multiply_add(std::string& out, const Digits& x, int m, int addend, char addend_name) {
  Digits next(x.size());
  int carry = addend;
  for (size_t c = 0; c < x.size(); ++c) {
    const int value = x[c] * m + carry;  // at most 9*9 + 9 = 90: always two digits
    const int column = static_cast<int>(c);
    // A named addend reads `U3`, as its derivation binds it.
    const std::string name = c == 0 && addend_name != '\0' ? std::string{addend_name} : "";
    out += fmt::format("{}{}{}*{}+{}{}={:02}{}{}", c == 0 ? "" : " ", tag(column, false), x[c], m,
                       name, carry, value, tag(column, true), value % 10);
    next[c] = value % 10;
    carry = value / 10;
  }
  return next;
}

}  // namespace foresight
