#include "tasks/knobs.hpp"

#include <charconv>

#include "core/error.hpp"

namespace foresight {
namespace {

int parse_int(std::string_view text, const std::string& setting) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    fail_field("knob", " {}: '{}' is not an integer", setting, text);
  return value;
}

}  // namespace

std::vector<KnobSetting> parse_knob_settings(std::span<const std::string> texts) {
  std::vector<KnobSetting> settings;
  for (const std::string& text : texts) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
      fail_field("knob", " {}: expected name=value or name=lo..hi", text);
    KnobSetting s{text, text.substr(0, eq)};
    const std::string_view value = std::string_view(text).substr(eq + 1);
    const size_t dots = value.find("..");
    s.lo = parse_int(value.substr(0, dots), text);
    s.hi = dots == std::string_view::npos ? s.lo : parse_int(value.substr(dots + 2), text);
    if (s.lo > s.hi) fail_field("knob", " {}: empty range ({} > {})", text, s.lo, s.hi);
    for (const KnobSetting& earlier : settings)
      if (earlier.name == s.name)
        fail_field("knob", " {}: {} is already set by {}", text, s.name, earlier.text);
    settings.push_back(std::move(s));
  }
  return settings;
}

}  // namespace foresight
