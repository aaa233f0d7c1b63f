// Difficulty knobs of the task families. Each family documents its knobs as a struct of ints
// and lists them as KnobFields; users set them with `name=value`, or `name=lo..hi` to draw a
// value per problem (one dataset then mixes difficulties and lengths).
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace foresight {

template <typename Knobs>
struct KnobField {
  std::string_view name;
  int Knobs::*member;
  int min, max;  // the allowed values
  std::string_view help;
};

struct KnobSetting {
  std::string text;  // as given, for messages
  std::string name;
  int lo = 0, hi = 0;  // equal unless a range was given
  bool used = false;   // a selected family has a knob of this name
};

// Parses `name=value` and `name=lo..hi`; errors name the text (--knob ...): no `=`, a value
// that is not an integer, lo > hi, or the same name twice.
std::vector<KnobSetting> parse_knob_settings(std::span<const std::string> texts);

}  // namespace foresight
