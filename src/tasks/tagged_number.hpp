// Multi-digit numbers as the carry and pointer tasks write them: least significant digit first,
// each digit after its column tag, A for 10^0, B for 10^1, ... (4821 -> "A1B2C8D4"). The tag
// makes "the digit in column C" a keyed lookup (copy what follows the latest `C`), so a model
// never has to count positions.
//
// An update x <- x*m + addend (mod 10^n) is written column by column, one item per column:
//   c7*3+1=22C2   column c: old digit 7, times 3, plus carry-in 1, is 22: new digit 2 (tagged
//                 `C`, for the next update to find), carry 2 into column d
// The carry into column a is the addend. The old digit is found by copying what follows the
// latest upper-case tag of the column (the item's tag is lower case so it never matches); the
// new digit and the carry are local arithmetic on the two-digit value just written.
#pragma once
#include <string>
#include <vector>

#include "core/rng.hpp"

namespace foresight {

using Digits = std::vector<int>;  // least significant first

constexpr int kMaxColumns = 26;  // tags A..Z

Digits random_digits(Rng& rng, int columns);

// 3, 7 or 9: coprime to 10, so x -> x*m + a (mod 10^n) is a bijection. No digit settles into a
// fixed point (x*5+4 would pin the last digit to 4), and an early mistake is never erased.
int draw_multiplier(Rng& rng);

// "A1B2C8D4".
std::string tagged_digits(const Digits& x);

// Appends the items of x*m + addend (mod 10^n), space-separated, and returns the new digits.
// m in 1..9, addend in 0..9. A non-zero `addend_name` is written before the addend, which is
// then the value bound to that name (`a5*3+V5`: plus what V holds, 5).
Digits append_multiply_add(std::string& out, const Digits& x, int m, int addend,
                           char addend_name = '\0');

}  // namespace foresight
