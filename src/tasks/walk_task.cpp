#include "tasks/walk_task.hpp"

#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "tasks/draw.hpp"
#include "tasks/tagged_number.hpp"

namespace foresight {
namespace {

struct Entry {
  int key, next, weight;
};

constexpr size_t kEntryChars = 9;  // "k07>k12:3"

}  // namespace

TaskProblem make_walk_problem(const WalkKnobs& knobs, Rng& rng) {
  std::vector<int> keys(99);
  std::iota(keys.begin(), keys.end(), 1);
  shuffle(keys, rng);
  std::vector<Entry> cycle;  // in walking order
  for (int i = 0; i < knobs.entries; ++i)
    cycle.push_back({keys[i], keys[(i + 1) % knobs.entries], draw_below(rng, 10)});
  std::vector<Entry> table = cycle;
  shuffle(table, rng);
  const int m = draw_multiplier(rng);
  Digits s = random_digits(rng, knobs.digits);

  TaskProblem p;
  p.group = "walk";
  p.prompt = "task walk\n";
  for (const Entry& e : table)
    p.prompt += fmt::format("k{:02}>k{:02}:{}\n", e.key, e.next, e.weight);
  p.prompt += fmt::format("s={}\nwalk {} hops from k{:02}: s<s*{}+w\n", tagged_digits(s),
                          knobs.hops, cycle.front().key, m);
  for (int hop = 0; hop < knobs.hops; ++hop) {
    const Entry& e = cycle[size_t(hop % knobs.entries)];
    p.trace +=
        fmt::format("{:03}/{:03}:k{:02}>k{:02}:{};", hop + 1, knobs.hops, e.key, e.next, e.weight);
    s = append_multiply_add(p.trace, s, m, e.weight);
    p.trace += '\n';
  }
  p.answer = tagged_digits(s);
  p.trace += "answer: " + p.answer + "\n";
  return p;
}

void mark_live_walk(std::string_view text, LiveMarks& live) {
  const PromptEnd prompt = mark_prompt(text, live, "walk ");
  if (prompt.trace == std::string_view::npos) return;
  const size_t trace_start = prompt.trace;
  const size_t rule = prompt.rule;
  // The table, in walking order from the rule's first key: entry j is visited at hops j + 1,
  // j + 1 + entries, ...; it is live while one of those is still to come.
  std::vector<int> next(100, -1);
  std::vector<size_t> line_of(100, 0);
  int entries = 0;
  for (size_t i = text.find('\n') + 1; i < rule; i = text.find('\n', i) + 1) {
    const int key = number_at(text, i + 1, 2), to = number_at(text, i + 5, 2);
    if (text[i] != 'k' || key < 0 || to < 0) break;  // the s= line
    next[size_t(key)] = to;
    line_of[size_t(key)] = i;
    ++entries;
  }
  const std::string_view rule_text = text.substr(rule);
  const size_t from = rule_text.find(" from k");
  const int hops = number_at(rule_text, 5, rule_text.find(' ', 5) - 5);
  int key = from == std::string_view::npos ? -1 : number_at(rule_text, from + 7, 2);
  const int done = count_lines(text, trace_start);  // complete hop lines
  for (int j = 0; j < entries && key >= 0; ++j, key = next[size_t(key)]) {
    int visit = j + 1;
    while (visit <= done) visit += entries;
    if (visit <= hops) mark(live, line_of[size_t(key)], kEntryChars);
  }
  mark_latest_tagged_digits(text, live);
  mark_line_starts(text, live, trace_start, 18);  // "001/112:k07>k12:3;"
  mark_tail(text, live, 12);
}

}  // namespace foresight
