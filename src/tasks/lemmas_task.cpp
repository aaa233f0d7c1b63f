#include "tasks/lemmas_task.hpp"

#include <array>
#include <numeric>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tasks/draw.hpp"
#include "tasks/tagged_number.hpp"

namespace foresight {
namespace {

constexpr int kLemmas = 10;      // Q..Z, named by a digit of x: 0 is Q, 9 is Z
constexpr int kMaxUses = 2;      // each lemma is used at most twice
constexpr size_t kDefChars = 7;  // "U:4*7+5"

char name_of(int digit) { return char(kFirstLemmaName + digit); }

struct Lemma {
  int digit, multiplier, carry;  // the definition d*m + c
  int value() const { return (digit * multiplier + carry) % 10; }
};

}  // namespace

TaskProblem make_lemmas_problem(const LemmasKnobs& knobs, Rng& rng) {
  const int uses = knobs.rounds - knobs.warmup;
  if (uses < 1 || uses > kLemmas * kMaxUses)
    fail_field(
        "knob",
        ": lemmas knobs rounds - warmup = {} - {} must be 1..{} (each of the {} lemmas is used "
        "once or twice)",
        knobs.rounds, knobs.warmup, kLemmas * kMaxUses, kLemmas);
  Digits x = random_digits(rng, knobs.digits);
  const int m = draw_multiplier(rng);
  const int addend = 1 + draw_below(rng, 9);
  // x's lowest digit goes a <- a*m + lemma[a] (mod 10) in lemma rounds: choosing lemma[a] as
  // next[a] - a*m walks it through a random cycle of all ten names.
  std::vector<int> order(kLemmas);
  std::iota(order.begin(), order.end(), 0);
  shuffle(order, rng);
  std::array<int, kLemmas> next{};
  for (int i = 0; i < kLemmas; ++i)
    next[size_t(order[size_t(i)])] = order[size_t((i + 1) % kLemmas)];
  std::vector<Lemma> lemmas(kLemmas);
  for (int name = 0; name < kLemmas; ++name) {
    const int value = ((next[size_t(name)] - name * m) % 10 + 10) % 10;
    Lemma& l = lemmas[size_t(name)];
    l.digit = draw_below(rng, 10);
    l.multiplier = draw_multiplier(rng);
    l.carry = ((value - l.digit * l.multiplier) % 10 + 10) % 10;
  }

  TaskProblem p;
  p.group = "lemmas";
  p.prompt = "task lemmas\n";
  for (int name = 0; name < kLemmas; ++name) {
    const Lemma& l = lemmas[size_t(name)];
    p.prompt += fmt::format("{}{}:{}*{}+{}", name == 0 ? "" : " ", name_of(name), l.digit,
                            l.multiplier, l.carry);
  }
  p.prompt += fmt::format("\nx={}\nwarm {}: x<x*{}+{}\nthen {}: x<x*{}+#A\n", tagged_digits(x),
                          knobs.warmup, m, addend, uses, m);
  for (int name = 0; name < kLemmas; ++name) {
    const Lemma& l = lemmas[size_t(name)];
    p.trace += fmt::format("{0}:{1}*{2}+{3}={4:02}{0}{5}\n", name_of(name), l.digit, l.multiplier,
                           l.carry, l.digit * l.multiplier + l.carry, l.value());
  }
  for (int round = 1; round <= knobs.warmup; ++round) {
    p.trace += fmt::format("w{:02}/{:02}+{:02}:", round, knobs.warmup, uses);
    x = append_multiply_add(p.trace, x, m, addend);
    p.trace += '\n';
  }
  for (int round = 1; round <= uses; ++round) {
    p.trace += fmt::format("{:02}/{:02}:", round, uses);
    const int name = x[0];
    x = append_multiply_add(p.trace, x, m, lemmas[size_t(name)].value(), name_of(name));
    p.trace += '\n';
  }
  p.answer = tagged_digits(x);
  p.trace += "answer: " + p.answer + "\n";
  return p;
}

void mark_live_lemmas(std::string_view text, LiveMarks& live) {
  const PromptEnd prompt = mark_prompt(text, live, "then ");
  if (prompt.trace == std::string_view::npos) return;
  const size_t trace_start = prompt.trace;
  mark_line(text, live, line_start(text, prompt.rule - 1));  // the warm-up rule, above
  // Each lemma's bindings `U3`: the derivation's (after its two-digit result) and the uses' (after
  // a plus).
  std::array<size_t, kLemmas> derivation;
  derivation.fill(std::string_view::npos);
  std::array<int, kLemmas> used{};
  for (size_t i = trace_start; i + 1 < text.size(); ++i) {
    const int digit = text[i] - kFirstLemmaName;
    if (digit < 0 || digit >= kLemmas || text[i + 1] < '0' || text[i + 1] > '9') continue;
    if (text[i - 1] >= '0' && text[i - 1] <= '9' &&
        derivation[size_t(digit)] == std::string_view::npos)
      derivation[size_t(digit)] = i;
    used[size_t(digit)] += text[i - 1] == '+';
  }
  for (int digit = 0; digit < kLemmas; ++digit) {
    // The definition until its derivation is written; then the derivation's binding while a use
    // is still to come (a causal solver knows each lemma is used at most twice, not which ones).
    // A use's binding would do as well, but a second use then reads a copy the first use made
    // far back, where the first read the derivation.
    if (derivation[size_t(digit)] == std::string_view::npos) {
      const size_t def = text.find(std::string{name_of(digit), ':'});
      if (def < trace_start) mark(live, def, kDefChars);
    } else if (used[size_t(digit)] < kMaxUses) {
      mark(live, derivation[size_t(digit)], 2);
    }
  }
  mark_latest_tagged_digits(text, live, kFirstLemmaName - 'A');  // x's columns
  mark_line_starts(text, live, trace_start, 10);  // "w01/06+14:", "01/14:a4*9" or "U:4*7+5=3"
  mark_tail(text, live, 12);
}

}  // namespace foresight
