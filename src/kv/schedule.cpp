#include "kv/schedule.hpp"

#include <algorithm>
#include <charconv>

#include "core/error.hpp"

namespace foresight {

int64_t EvictionSchedule::entries_before(int64_t position) const {
  if (!active()) return position;
  return std::min<int64_t>(position / evict_every * evict_every, budget) + position % evict_every;
}

int EvictionSchedule::sinks_for(int64_t prompt_length) const {
  if (!protect_prompt) return sinks;
  return int(std::clamp<int64_t>(prompt_length, 0, std::max(0, budget - evict_every)));
}

int EvictionSchedule::recent_for(int sinks) const {
  const int asked = recent_percent > 0 ? int(int64_t{budget} * recent_percent / 100) : recent;
  return std::clamp(asked, evict_every, std::max(evict_every, budget - sinks));
}

void EvictionSchedule::set_recent(std::string_view text) {
  recent = recent_percent = 0;
  if (text.empty()) return;
  const bool percent = text.ends_with('%');
  const std::string_view digits = percent ? text.substr(0, text.size() - 1) : text;
  int value = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value < 0 ||
      (percent && (value < 1 || value > 100)))
    fail_field("recent", ": '{}' is not a whole number of tokens or a share of the budget (1-100%)",
               text);
  (percent ? recent_percent : recent) = value;
}

std::string EvictionSchedule::recent_name() const {
  return recent_percent > 0 ? std::to_string(recent_percent) + "%"
                            : std::to_string(std::max(recent, evict_every));
}

void EvictionSchedule::set_sinks(std::string_view text, int policy_default) {
  protect_prompt = text == "prompt";
  sinks = protect_prompt ? 0 : policy_default;
  if (text.empty() || protect_prompt) return;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), sinks);
  if (error != std::errc() || end != text.data() + text.size() || sinks < 0)
    fail_field("sinks", ": '{}' is not a whole number of tokens or 'prompt'", text);
}

std::string EvictionSchedule::sinks_name() const {
  return protect_prompt ? "prompt" : std::to_string(sinks);
}

void EvictionSchedule::validate() const {
  if (evict_every < 1) fail_field("evict_every", " must be >= 1, got {}", evict_every);
  if (sinks < 0) fail_field("sinks", " must be >= 0, got {}", sinks);
  if (budget < 0) fail_field("budget", " must be >= 0, got {}", budget);
  // After an eviction the L newest entries and the sinks are all still there, so B must
  // hold them (L >= 1 also leaves a slot beyond the sinks).
  if (active() && !protect_prompt && budget < evict_every + sinks)
    fail_field("budget",
               " {} cannot hold the protected window: the {} newest tokens (the eviction length) "
               "plus {} sinks need a budget of at least {}",
               budget, evict_every, sinks, evict_every + sinks);
  if (active() && protect_prompt && budget <= evict_every)
    fail_field("budget",
               " {} cannot protect any prompt token beside the {} newest tokens "
               "(the eviction length): sinks 'prompt' need a budget above {}",
               budget, evict_every, evict_every);
}

}  // namespace foresight
