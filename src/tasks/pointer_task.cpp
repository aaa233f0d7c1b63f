#include "tasks/pointer_task.hpp"

#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tasks/draw.hpp"
#include "tasks/tagged_number.hpp"

namespace foresight {
namespace {

constexpr int kKeys = 100;  // k00..k99; k00 ends the chains unless end_word is set

struct Entry {
  int key, next;  // next = -1: end
  int weight;
};

std::string target(int next, bool end_word) {
  if (next < 0) return end_word ? "end" : "k00";
  return fmt::format("k{:02}", next);
}

}  // namespace

TaskProblem make_pointer_problem(const PointerKnobs& knobs, Rng& rng) {
  const bool end_word = knobs.end_word == 1;
  const int first_key = end_word ? 0 : 1;
  if (knobs.hops + knobs.distractors > kKeys - first_key)
    fail_field("knob",
               ": pointer knobs hops + distractors = {} + {} need more than the {} available keys",
               knobs.hops, knobs.distractors, kKeys - first_key);
  std::vector<int> keys(kKeys - first_key);
  std::iota(keys.begin(), keys.end(), first_key);
  shuffle(keys, rng);

  // keys[0..hops) form the walk; the distractors form chains of about 8 entries of their own.
  std::vector<Entry> table;
  for (int i = 0; i < knobs.hops; ++i)
    table.push_back({keys[i], i + 1 < knobs.hops ? keys[i + 1] : -1, draw_below(rng, 10)});
  const int end = knobs.hops + knobs.distractors;
  for (int i = knobs.hops; i < end; ++i) {
    const bool closes = i + 1 == end || draw_below(rng, 8) == 0;
    table.push_back({keys[i], closes ? -1 : keys[i + 1], draw_below(rng, 10)});
  }
  const std::vector<Entry> walk(table.begin(), table.begin() + knobs.hops);
  shuffle(table, rng);

  const int m = draw_multiplier(rng);
  Digits s = random_digits(rng, knobs.digits);

  TaskProblem p;
  p.group = "pointer";
  p.prompt = "task pointer\n";
  for (const Entry& e : table)
    p.prompt += fmt::format("k{:02}>{}:{}\n", e.key, target(e.next, end_word), e.weight);
  p.prompt += fmt::format("s={}\nfrom k{:02}: s<s*{}+w\n", tagged_digits(s), walk.front().key, m);

  for (size_t hop = 0; hop < walk.size(); ++hop) {
    const Entry& e = walk[hop];
    p.trace +=
        fmt::format("{:02}:k{:02}>{}:{};", hop + 1, e.key, target(e.next, end_word), e.weight);
    s = append_multiply_add(p.trace, s, m, e.weight);
    p.trace += '\n';
  }
  // The walk ends with a line that copies k00 like any hop's key, so that stopping is decided
  // right after k00 is written, not from the target digits a whole line back.
  if (!end_word) p.trace += fmt::format("{:02}:k00\n", walk.size() + 1);
  p.answer = tagged_digits(s);
  p.trace += "answer: " + p.answer + "\n";
  return p;
}

void mark_live_pointer(std::string_view text, LiveMarks& live) {
  const PromptEnd prompt = mark_prompt(text, live, "from ");
  if (prompt.trace == std::string_view::npos) return;
  const size_t trace_start = prompt.trace;
  const size_t rule = prompt.rule;
  // Follows the chain from the rule's key: the entries after the hops written so far are live.
  std::vector<size_t> line_of(kKeys, std::string_view::npos);
  for (size_t i = text.find('\n') + 1; i < rule; i = text.find('\n', i) + 1) {
    const int key = number_at(text, i + 1, 2);
    if (text[i] == 'k' && key >= 0) line_of[size_t(key)] = i;
  }
  const int done = count_lines(text, trace_start);
  int key = number_at(text, rule + 6, 2);
  for (int hop = 0; key >= 0 && hop < kKeys && line_of[size_t(key)] != std::string_view::npos;
       ++hop) {
    const size_t at = line_of[size_t(key)];
    if (hop >= done) mark_line(text, live, at);
    key = text[at + 4] == 'k' ? number_at(text, at + 5, 2) : -1;
  }
  mark_latest_tagged_digits(text, live);
  mark_line_starts(text, live, trace_start, 13);  // "01:k41>k64:9;"
  mark_tail(text, live, 12);
}

}  // namespace foresight
