// Synthetic task families: every reference trace is re-checked step by step against its own
// prompt by small independent simulators (parsing the prompt text, integer arithmetic instead of
// columns); determinism per seed; lengths respond to the knobs; the live set stays far below a
// quarter of the trace; knob, dataset and CLI errors name the option, file and line.
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <tuple>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/rng.hpp"
#include "tasks/answer.hpp"
#include "tasks/dataset.hpp"
#include "tasks/task_registry.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// "A3B0C9" -> {3, 0, 9}, checking the tags run A, B, C, ...
std::vector<int> parse_tagged(const std::string& text) {
  std::vector<int> digits;
  EXPECT_EQ(text.size() % 2, 0u) << text;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    EXPECT_EQ(text[i], 'A' + int(i / 2)) << text;
    digits.push_back(text[i + 1] - '0');
  }
  return digits;
}

std::string tagged(const std::vector<int>& digits) {
  std::string out;
  for (size_t c = 0; c < digits.size(); ++c) out += {char('A' + c), char('0' + digits[c])};
  return out;
}

// The n lowest decimal digits of v, least significant first.
std::vector<int> low_digits(unsigned __int128 v, size_t n) {
  std::vector<int> digits;
  for (size_t c = 0; c < n; ++c, v /= 10) digits.push_back(int(v % 10));
  return digits;
}

unsigned __int128 value_of(const std::vector<int>& digits) {
  unsigned __int128 v = 0;
  for (size_t c = digits.size(); c-- > 0;) v = v * 10 + digits[c];
  return v;
}

unsigned __int128 power_of_ten(size_t n) {
  unsigned __int128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// Checks the column items "c7*3+1=22C2 ..." of x*m + carry_in and returns the new digits.
std::vector<int> check_items(const std::string& items, const std::vector<int>& x, int m,
                             int carry_in) {
  std::istringstream in(items);
  std::vector<int> next;
  int carry = carry_in;
  for (std::string item; in >> item;) {
    const size_t c = next.size();
    const std::string expected_start = {char('a' + c), char('0' + x.at(c)), '*', char('0' + m),
                                        '+',           char('0' + carry),   '='};
    EXPECT_EQ(item.substr(0, 7), expected_start) << items;
    const int value = x[c] * m + carry;
    EXPECT_EQ(item.substr(7), two_digits(value) + char('A' + c) + char('0' + value % 10)) << items;
    next.push_back(value % 10);
    carry = value / 10;
  }
  EXPECT_EQ(next.size(), x.size()) << items;
  return next;
}

void check_answer(const TaskProblem& p) {
  EXPECT_TRUE(grade(GraderKind::AnswerLine, p.trace, p.answer)) << p.id;
  const std::string last = "answer: " + p.answer + "\n";
  ASSERT_GE(p.trace.size(), last.size());
  EXPECT_EQ(p.trace.substr(p.trace.size() - last.size()), last) << p.id;
  EXPECT_EQ(p.trace.find("answer:"), p.trace.size() - last.size()) << "one answer line only";
  EXPECT_EQ(p.prompt.back(), '\n');
  EXPECT_EQ(p.prompt.substr(0, 5 + p.group.size() + 1), "task " + p.group + "\n");
}

// Re-runs the program of the prompt and compares every trace line.
void check_program(const TaskProblem& p) {
  const auto prompt = lines_of(p.prompt);
  std::map<char, int> reg;
  std::istringstream regs(prompt.at(1));
  for (std::string r; regs >> r;) reg[r[0]] = r.at(2) - '0';
  std::vector<std::string> program(prompt.begin() + 2, prompt.end() - 1);
  const int passes = std::stoi(prompt.back().substr(4));
  const int steps = passes * int(program.size());
  EXPECT_EQ(prompt.back(), "run " + std::to_string(passes) + (passes == 1 ? " pass" : " passes") +
                               " = " + std::to_string(steps) + " steps");

  const auto trace = lines_of(p.trace);
  size_t t = 0;
  auto padded = [](int n) {  // at least three digits, like walk's hops
    const std::string digits = std::to_string(n);
    return std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits;
  };
  for (int pass = 1; pass <= passes; ++pass) {
    for (size_t i = 0; i < program.size(); ++i) {
      const std::string head = padded(int(t) + 1) + "/" + padded(steps) + ":";
      const std::string& in = program[i];
      ASSERT_EQ(in.size(), 8u) << in;
      EXPECT_EQ(in.substr(0, 3), two_digits(int(i) + 1) + ":");
      const char dest = in[3], lhs = in[5], op = in[6], rhs = in[7];
      EXPECT_EQ(in[4], '<');
      ASSERT_TRUE(reg.count(dest) && reg.count(lhs) && reg.count(rhs) && lhs != rhs) << in;
      const int result = op == '+' ? (reg[lhs] + reg[rhs]) % 10 : (reg[lhs] - reg[rhs] + 10) % 10;
      EXPECT_EQ(trace.at(t++), head + in + ";" + lhs + "=" + char('0' + reg[lhs]) + ";" + rhs +
                                   "=" + char('0' + reg[rhs]) + ";" + dest + "=" +
                                   char('0' + result));
      reg[dest] = result;
    }
  }
  std::string file;
  for (const auto& [name, value] : reg)
    file += (file.empty() ? "" : " ") + std::string{name, '='} + char('0' + value);
  EXPECT_EQ(p.answer, file);
  EXPECT_EQ(t + 1, trace.size());
}

// Follows the chain through the prompt's table and recomputes s with integers.
void check_pointer(const TaskProblem& p, int* distractors = nullptr) {
  const auto prompt = lines_of(p.prompt);
  std::map<std::string, std::pair<std::string, int>> table;  // key -> (target, weight)
  for (size_t i = 1; i + 2 < prompt.size(); ++i) {
    const std::string& e = prompt[i];  // k41>k64:9
    const size_t gt = e.find('>'), colon = e.find(':');
    ASSERT_TRUE(gt == 3 && colon != std::string::npos) << e;
    EXPECT_TRUE(table
                    .emplace(e.substr(0, 3),
                             std::pair{e.substr(4, colon - 4), std::stoi(e.substr(colon + 1))})
                    .second)
        << "repeated key " << e;
  }
  ASSERT_EQ(prompt[prompt.size() - 2].substr(0, 2), "s=");
  std::vector<int> s = parse_tagged(prompt[prompt.size() - 2].substr(2));
  const std::string& rule = prompt.back();  // from k41: s<s*7+w
  std::string key = rule.substr(5, 3);
  const int m = rule.at(rule.find('*') + 1) - '0';
  EXPECT_EQ(rule, "from " + key + ": s<s*" + char('0' + m) + "+w");

  const auto trace = lines_of(p.trace);
  const unsigned __int128 modulus = power_of_ten(s.size());
  size_t hop = 0;
  const bool end_word = p.prompt.find(">end:") != std::string::npos;
  for (; key != (end_word ? "end" : "k00"); ++hop) {
    ASSERT_LT(hop + 1, trace.size());
    ASSERT_TRUE(table.count(key)) << key;
    const auto [target, w] = table[key];
    const std::string head =
        two_digits(int(hop) + 1) + ":" + key + ">" + target + ":" + char('0' + w) + ";";
    ASSERT_EQ(trace[hop].substr(0, head.size()), head);
    const std::vector<int> next = check_items(trace[hop].substr(head.size()), s, m, w);
    EXPECT_EQ(next, low_digits((value_of(s) * m + w) % modulus, s.size()));
    s = next;
    table.erase(key);  // a chain never revisits a key
    key = target;
  }
  if (!end_word) {  // the closing line restates the next line number and k00
    ASSERT_LT(hop + 1, trace.size());
    EXPECT_EQ(trace[hop], two_digits(int(hop) + 1) + ":k00");
    ++hop;
  }
  EXPECT_EQ(p.answer, tagged(s));
  EXPECT_EQ(hop + 1, trace.size());
  if (distractors) *distractors = int(table.size());
}

// A rule line `WORD N: x<x*M+A`, checked against what it parses to: {N, M, A}.
std::array<int, 3> parse_rule(const std::string& rule, const std::string& word) {
  const size_t colon = rule.find(':');
  const int count = std::stoi(rule.substr(word.size() + 1, colon - word.size() - 1));
  const int m = rule.at(colon + 6) - '0', a = rule.at(colon + 8) - '0';
  EXPECT_EQ(rule,
            word + " " + std::to_string(count) + ": x<x*" + char('0' + m) + "+" + char('0' + a));
  return {count, m, a};
}

// Applies x <- x*m + a with integer arithmetic and compares every line.
void check_carry(const TaskProblem& p) {
  const auto prompt = lines_of(p.prompt);
  ASSERT_EQ(prompt.size(), 3u);
  std::vector<int> x = parse_tagged(prompt[1].substr(2));
  const auto [steps, m, a] = parse_rule(prompt[2], "repeat");

  const auto trace = lines_of(p.trace);
  ASSERT_EQ(trace.size(), size_t(steps) + 1);
  unsigned __int128 value = value_of(x);
  for (int step = 1; step <= steps; ++step) {
    const std::string& line = trace[step - 1];
    const std::string head = two_digits(step) + "/" + two_digits(steps) + ":";
    ASSERT_EQ(line.substr(0, head.size()), head);
    value = (value * m + a) % power_of_ten(x.size());
    x = check_items(line.substr(head.size()), x, m, a);
    EXPECT_EQ(x, low_digits(value, x.size()));
  }
  EXPECT_EQ(p.answer, tagged(x));
}

// Walks the prompt's cycle for the rule's hops and recomputes s with integers.
void check_walk(const TaskProblem& p) {
  const auto prompt = lines_of(p.prompt);
  std::map<std::string, std::pair<std::string, int>> table;  // key -> (target, weight)
  for (size_t i = 1; i + 2 < prompt.size(); ++i) {
    const std::string& e = prompt[i];  // k07>k12:3
    ASSERT_EQ(e.size(), 9u) << e;
    EXPECT_TRUE(table.emplace(e.substr(0, 3), std::pair{e.substr(4, 3), e[8] - '0'}).second)
        << "repeated key " << e;
  }
  ASSERT_EQ(prompt[prompt.size() - 2].substr(0, 2), "s=");
  std::vector<int> s = parse_tagged(prompt[prompt.size() - 2].substr(2));
  const std::string& rule = prompt.back();  // walk 112 hops from k07: s<s*7+w
  const int hops = std::stoi(rule.substr(5));
  std::string key = rule.substr(rule.find(" from ") + 6, 3);
  const int m = rule.at(rule.find('*') + 1) - '0';
  EXPECT_EQ(rule,
            "walk " + std::to_string(hops) + " hops from " + key + ": s<s*" + char('0' + m) + "+w");
  // One cycle through every entry.
  std::string k = key;
  for (size_t i = 0; i < table.size(); ++i) {
    ASSERT_TRUE(table.count(k)) << k;
    k = table[k].first;
    EXPECT_EQ(k == key, i + 1 == table.size()) << "the table is one cycle";
  }

  const auto trace = lines_of(p.trace);
  ASSERT_EQ(trace.size(), size_t(hops) + 1);
  const unsigned __int128 modulus = power_of_ten(s.size());
  for (int hop = 0; hop < hops; ++hop) {
    const auto [target, w] = table[key];
    char number[32];
    std::snprintf(number, sizeof number, "%03d/%03d:", hop + 1, hops);
    const std::string head = number + key + ">" + target + ":" + char('0' + w) + ";";
    ASSERT_EQ(trace[hop].substr(0, head.size()), head);
    const std::vector<int> next = check_items(trace[hop].substr(head.size()), s, m, w);
    EXPECT_EQ(next, low_digits((value_of(s) * m + w) % modulus, s.size()));
    s = next;
    key = target;
  }
  EXPECT_EQ(p.answer, tagged(s));
}

// Derives the prompt's lemmas, then applies x <- x*m + addend with integers: the warm-up's
// fixed addend, then the lemma named by x's lowest digit; each lemma is used at most twice.
void check_lemmas(const TaskProblem& p, std::vector<int>* uses_out = nullptr) {
  const auto prompt = lines_of(p.prompt);
  ASSERT_EQ(prompt.size(), 5u);
  std::istringstream defs(prompt[1]);
  std::vector<int> value;
  std::vector<std::string> def;
  auto name = [](size_t digit) { return char('Q' + digit); };
  for (std::string d; defs >> d;) {  // U:4*7+5
    ASSERT_EQ(d.size(), 7u) << d;
    EXPECT_EQ(d.substr(0, 2), (std::string{name(value.size()), ':'}));
    EXPECT_TRUE(d[2] >= '0' && d[2] <= '9' && d[3] == '*' && d[5] == '+') << d;
    value.push_back(((d[2] - '0') * (d[4] - '0') + (d[6] - '0')) % 10);
    def.push_back(d);
  }
  ASSERT_EQ(value.size(), 10u);
  std::vector<int> x = parse_tagged(prompt[2].substr(2));
  const auto [warmup, m, a] = parse_rule(prompt[3], "warm");
  const int lemma_rounds = std::stoi(prompt[4].substr(5));
  EXPECT_EQ(prompt[4], "then " + std::to_string(lemma_rounds) + ": x<x*" + char('0' + m) + "+#A");

  const auto trace = lines_of(p.trace);
  ASSERT_EQ(trace.size(), 10u + size_t(warmup + lemma_rounds) + 1);
  for (size_t l = 0; l < 10; ++l) {
    const int full = (def[l][2] - '0') * (def[l][4] - '0') + (def[l][6] - '0');
    EXPECT_EQ(trace[l], def[l] + "=" + two_digits(full) + name(l) + char('0' + value[l]));
  }
  std::vector<int> uses(10, 0);
  unsigned __int128 v = value_of(x);
  for (int round = 1; round <= warmup + lemma_rounds; ++round) {
    const bool warming = round <= warmup;
    const std::string head =
        warming ? "w" + two_digits(round) + "/" + two_digits(warmup) + "+" +
                      two_digits(lemma_rounds) + ":"
                : two_digits(round - warmup) + "/" + two_digits(lemma_rounds) + ":";
    std::string line = trace[size_t(9 + round)];
    ASSERT_EQ(line.substr(0, head.size()), head);
    line = line.substr(head.size());
    int add = a;
    if (!warming) {  // a4*9+U3: the lemma's name right after the digit that chooses it
      add = value[size_t(x[0])];
      ++uses[size_t(x[0])];
      ASSERT_EQ(line.substr(5, 2), (std::string{name(size_t(x[0])), char('0' + add)})) << line;
      line.erase(5, 1);
    }
    v = (v * m + add) % power_of_ten(x.size());
    x = check_items(line, x, m, add);
    EXPECT_EQ(x, low_digits(v, x.size()));
  }
  for (const int u : uses) EXPECT_LE(u, 2);
  EXPECT_EQ(p.answer, tagged(x));
  if (uses_out) *uses_out = uses;
}

void check(const TaskProblem& p) {
  SCOPED_TRACE(p.id + "\n" + p.prompt + p.trace);
  check_answer(p);
  if (p.group == "program") check_program(p);
  else if (p.group == "pointer") check_pointer(p);
  else if (p.group == "carry") check_carry(p);
  else if (p.group == "walk") check_walk(p);
  else if (p.group == "lemmas") check_lemmas(p);
  else ADD_FAILURE() << "unknown group " << p.group;
}

double mean_trace_length(const std::vector<TaskProblem>& problems) {
  double sum = 0;
  for (const TaskProblem& p : problems) sum += double(p.trace.size());
  return sum / double(problems.size());
}

void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error; expected " << parts.front();
  } catch (const Error& e) {
    for (const std::string& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Tasks, EveryReferenceTraceIsConsistentWithItsPrompt) {
  for (const TaskProblem& p : make_task_problems("all", 30, 11)) check(p);
  const std::vector<std::string> small = {"lines=2",       "registers=2", "passes=1", "hops=1",
                                          "distractors=0", "digits=1",    "steps=1",  "entries=2",
                                          "rounds=1",      "warmup=0"};
  for (const TaskProblem& p : make_task_problems("all", 10, 12, small)) check(p);
  const std::vector<std::string> large = {
      "lines=99", "registers=26", "passes=2",   "hops=60",   "distractors=39",
      "digits=8", "steps=3",      "entries=99", "rounds=40", "warmup=20"};
  for (const TaskProblem& p : make_task_problems("all", 5, 13, large)) check(p);
  for (const TaskProblem& p :
       make_task_problems("carry", 2, 14, std::vector<std::string>{"digits=26"}))
    check(p);
}

// The checkers have teeth: any changed digit of a trace is caught.
TEST(Tasks, CheckersCatchAChangedDigit) {
  int changed = 0;
  for (const TaskProblem& original : make_task_problems("all", 3, 21)) {
    for (size_t at = 10; at < original.trace.size(); at += 31) {
      if (original.trace[at] < '0' || original.trace[at] > '9') continue;
      TaskProblem p = original;
      p.trace[at] = char('0' + (p.trace[at] - '0' + 1) % 10);
      ::testing::TestPartResultArray failures;
      {
        ::testing::ScopedFakeTestPartResultReporter intercept(
            ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
        check(p);
      }
      EXPECT_GT(failures.size(), 0) << p.id << " at " << at;
      ++changed;
    }
  }
  EXPECT_GT(changed, 60);
}

TEST(Tasks, SameSeedSameProblemsOtherSeedOthers) {
  const auto a = make_task_problems("all", 10, 5), b = make_task_problems("all", 10, 5);
  EXPECT_EQ(a, b);
  const auto prefix = make_task_problems("all", 4, 5);
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), a.begin()));  // a larger n extends
  const auto other = make_task_problems("all", 10, 6);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].group,
              std::vector<std::string>({"program", "pointer", "carry", "walk", "lemmas"})[i % 5]);
    EXPECT_EQ(a[i].id, a[i].group + "-5-" + std::to_string(i));
    EXPECT_NE(a[i].prompt, other[i].prompt);
    EXPECT_NE(a[i].trace, other[i].trace);
  }
  // Families made separately with one seed do not share their draws: the first digits drawn
  // (program's registers, carry's x) differ.
  const std::string registers = lines_of(make_task_problems("program", 1, 1)[0].prompt)[1];
  const std::string x = lines_of(make_task_problems("carry", 1, 1)[0].prompt)[1];
  std::string register_digits, x_digits;
  for (size_t i = 0; i < 6; ++i) {
    register_digits += registers.at(4 * i + 2);
    x_digits += x.at(2 * i + 3);
  }
  EXPECT_NE(register_digits, x_digits);
}

// The benchmark's families at their default knobs: sequences of about 3-4K tokens, the prompt
// at most 10% of them; the knobs move the lengths both ways.
TEST(Tasks, DefaultLengthsAndKnobsSpanTheIntendedRange) {
  for (const std::string_view family : {"program", "walk", "lemmas", "carry"}) {
    const auto problems = make_task_problems(family, 6, 1);
    double sequence = 0, prompt = 0;
    for (const TaskProblem& p : problems) {
      sequence += double(p.prompt.size() + p.trace.size());
      prompt += double(p.prompt.size());
    }
    EXPECT_GT(sequence / 6, 2700) << family;
    EXPECT_LT(sequence / 6, 3700) << family;
    EXPECT_LE(prompt / sequence, 0.10) << family;
  }
  const double pointer = mean_trace_length(make_task_problems("pointer", 6, 1));
  EXPECT_GT(pointer, 1400);
  EXPECT_LT(pointer, 2000);
  // (family, knob, a short setting, a long setting) against the default.
  const std::vector<std::tuple<std::string, std::string, int, int>> cases = {
      {"program", "passes", 4, 20}, {"program", "lines", 4, 16}, {"pointer", "hops", 7, 40},
      {"carry", "steps", 6, 24},    {"carry", "digits", 6, 24},  {"walk", "hops", 40, 160},
      {"walk", "digits", 1, 3},     {"lemmas", "digits", 4, 16}, {"lemmas", "rounds", 8, 26}};
  for (const auto& [family, knob, small, large] : cases) {
    const double mean = mean_trace_length(make_task_problems(family, 3, 2));
    const double short_mean = mean_trace_length(
        make_task_problems(family, 3, 2, std::vector{knob + "=" + std::to_string(small)}));
    const double long_mean = mean_trace_length(
        make_task_problems(family, 3, 2, std::vector{knob + "=" + std::to_string(large)}));
    EXPECT_LE(short_mean, mean) << family << " " << knob;
    EXPECT_GT(long_mean, 1.2 * mean) << family << " " << knob;
  }
}

TEST(Tasks, AListOfFamiliesTakesTurns) {
  const auto problems = make_task_problems("walk,lemmas", 4, 3);
  for (size_t i = 0; i < problems.size(); ++i)
    EXPECT_EQ(problems[i].group, i % 2 == 0 ? "walk" : "lemmas");
  EXPECT_EQ(problems[0], make_task_problems("walk", 1, 3)[0]);
  // A knob named with its family applies to that family only.
  const auto digits = make_task_problems("walk,lemmas", 2, 3,
                                         std::vector<std::string>{"walk.digits=3", "digits=5"});
  EXPECT_EQ(digits[0].answer.size(), 6u);
  EXPECT_EQ(digits[1].answer.size(), 10u);
  expect_error(
      [] { make_task_problems("walk", 1, 3, std::vector<std::string>{"lemmas.digits=3"}); },
      {"knob lemmas.digits=3: no knob 'lemmas.digits'"});
}

TEST(Tasks, RangedKnobsDrawPerProblem) {
  const auto problems = make_task_problems(
      "pointer", 40, 3, std::vector<std::string>{"hops=5..9", "distractors=0..3"});
  std::set<size_t> hops, distractors;
  for (const TaskProblem& p : problems) {
    int off_chain = 0;
    check_pointer(p, &off_chain);
    hops.insert(lines_of(p.trace).size() - 2);  // hop lines, the k00 line, the answer
    distractors.insert(size_t(off_chain));
  }
  EXPECT_EQ(hops, (std::set<size_t>{5, 6, 7, 8, 9}));
  EXPECT_EQ(distractors, (std::set<size_t>{0, 1, 2, 3}));
}

// operators=1 (the default) writes only additions; operators=2 both operators, and the
// problems it makes stay consistent with their traces.
TEST(Tasks, OperatorsKnobChoosesAdditionOnlyOrBoth) {
  auto count = [](const std::vector<TaskProblem>& problems, char op) {
    size_t n = 0;
    for (const TaskProblem& p : problems)
      for (const std::string& line : lines_of(p.prompt))
        if (line.size() == 8 && line[2] == ':' && line[6] == op) ++n;
    return n;
  };
  const auto plus_only = make_task_problems("program", 5, 8);
  EXPECT_GT(count(plus_only, '+'), 40u);
  EXPECT_EQ(count(plus_only, '-'), 0u);
  const auto both = make_task_problems("program", 5, 8, std::vector<std::string>{"operators=2"});
  EXPECT_GT(count(both, '+'), 15u);
  EXPECT_GT(count(both, '-'), 15u);
  for (const TaskProblem& p : both) check(p);
}

// Chains end in k00, which has no entry; end_word=1 ends them in `end` and k00 may be a key.
TEST(Tasks, PointerChainsEndInK00OrTheWordEnd) {
  for (const TaskProblem& p : make_task_problems("pointer", 4, 9)) {
    EXPECT_EQ(p.prompt.find("\nk00>"), std::string::npos);
    EXPECT_EQ(p.prompt.find(">end:"), std::string::npos);
    EXPECT_NE(lines_of(p.trace).at(lines_of(p.trace).size() - 3).find(">k00:"), std::string::npos);
    check(p);
  }
  const std::vector<std::string> word = {"end_word=1", "hops=60", "distractors=40"};
  for (const TaskProblem& p : make_task_problems("pointer", 4, 9, word)) {
    EXPECT_NE(p.prompt.find("\nk00>"), std::string::npos);  // all 100 keys are used
    EXPECT_NE(lines_of(p.trace).at(lines_of(p.trace).size() - 2).find(">end:"), std::string::npos);
    check(p);
  }
}

size_t count_live(const std::vector<char>& live) {
  return size_t(std::count(live.begin(), live.end(), 1));
}

// The live set at the benchmark's knobs, at every line end and every 7th character: never more
// than 8% of the problem's sequence, and everything while the prompt is being read.
TEST(LiveSet, NeverExceedsEightPercentOfTheSequence) {
  for (const std::string_view family : {"program", "walk", "lemmas", "carry"})
    for (const TaskProblem& p : make_task_problems(family, 3, 31)) {
      const std::string text = p.prompt + p.trace;
      size_t most = 0;
      for (size_t end = 1; end <= text.size(); ++end) {
        if (end % 7 != 0 && text[end - 1] != '\n') continue;
        const std::vector<char> live = live_set(std::string_view(text).substr(0, end));
        ASSERT_EQ(live.size(), end);
        if (end < p.prompt.size()) {
          EXPECT_EQ(count_live(live), end) << p.id;
        }
        most = std::max(most, count_live(live));
      }
      EXPECT_LE(double(most), 0.08 * double(text.size())) << p.id;
      EXPECT_GT(double(most), 0.02 * double(text.size())) << p.id;
    }
}

// Live marks what the next step copies and lets go of what no step will copy again.
TEST(LiveSet, HoldsWhatTheNextStepCopiesAndNothingDead) {
  auto live_at = [](const std::string& text, size_t end) {
    return live_set(std::string_view(text).substr(0, end));
  };
  auto all_live = [](const std::vector<char>& live, size_t from, size_t n) {
    return std::all_of(live.begin() + long(from), live.begin() + long(from + n),
                       [](char c) { return c == 1; });
  };
  auto none_live = [](const std::vector<char>& live, size_t from, size_t n) {
    return std::none_of(live.begin() + long(from), live.begin() + long(from + n),
                        [](char c) { return c == 1; });
  };
  {  // lemmas: a lemma's latest binding `U3` before each round that uses it; dead after its second
     // use
    const TaskProblem p = make_task_problems("lemmas", 1, 32)[0];
    std::vector<int> uses;
    check_lemmas(p, &uses);
    const std::string text = p.prompt + p.trace;
    auto derivation = [&](char name) {  // `U:4*7+5=33U3`: the binding after the result
      return text.find(std::string{name, ':'}, p.prompt.size()) + 10;
    };
    std::vector<int> used(10, 0);
    const size_t first = text.find("\n01/14:", p.prompt.size());
    ASSERT_NE(first, std::string::npos);
    for (size_t line = first + 1; text.compare(line, 7, "answer:") != 0;
         line = text.find('\n', line) + 1) {
      const char name = text[line + 11];  // 01/14:a4*9+U3
      ASSERT_TRUE(name >= 'Q' && name <= 'Z') << text.substr(line, 13);
      const std::vector<char> live = live_at(text, line);
      const size_t binding = derivation(name);
      ASSERT_EQ(text[binding], name) << text.substr(binding - 10, 12);
      EXPECT_TRUE(all_live(live, binding, 2)) << name << " before " << text.substr(line, 6);
      // A use's copy is not what a later use reads.
      if (used[size_t(name - 'Q')] == 1) {
        EXPECT_TRUE(none_live(live, text.rfind(std::string{'+', name}, line) + 1, 2)) << name;
      }
      if (++used[size_t(name - 'Q')] == 2) {
        const std::vector<char> after = live_at(text, text.find('\n', line) + 1);
        for (size_t k = p.prompt.size(); k <= line + 11; ++k)
          if (text[k] == name) {
            EXPECT_TRUE(none_live(after, k, 2)) << name << " at " << k;
          }
      }
    }
    EXPECT_EQ(std::accumulate(used.begin(), used.end(), 0), 14);
    EXPECT_GT(std::count(uses.begin(), uses.end(), 2), 0);
    // The prompt's definitions die once derived.
    const std::vector<char> derived = live_at(text, text.find("w01/06+"));
    EXPECT_TRUE(none_live(derived, text.find("Q:"), 7));
    EXPECT_TRUE(all_live(live_at(text, text.find("T:", p.prompt.size())), text.find("T:"), 7));
  }
  {  // walk: the next hop's entry; in the last lap, entries already visited are dead
    const TaskProblem p =
        make_task_problems("walk", 1, 33, std::vector<std::string>{"entries=5", "hops=12"})[0];
    const std::string text = p.prompt + p.trace;
    for (int hop = 1; hop <= 12; ++hop) {
      char number[16];
      std::snprintf(number, sizeof number, "\n%03d/012:", hop);
      const size_t line = text.find(number, p.prompt.size() - 1) + 1;
      const std::string entry = text.substr(line + 8, 9);
      const std::vector<char> live = live_at(text, line);
      EXPECT_TRUE(all_live(live, text.find(entry), 9)) << entry;
      if (hop > 10) {  // hop 10's entry (visited at hops 5 and 10) has no visit left
        EXPECT_TRUE(none_live(live, text.find(text.substr(line - 30 * (hop - 10) + 8, 9)), 9));
      }
    }
  }
  {  // program: the next line and its operands' latest values; old values are dead, and so are
     // the lines whose last step has begun
    const TaskProblem p = make_task_problems("program", 1, 34)[0];
    const std::string text = p.prompt + p.trace;
    const size_t step = text.find("\n005/120:", p.prompt.size()) + 1;  // pass 1, line 5
    ASSERT_NE(step, 0u);
    const size_t line = step + 8;
    const std::vector<char> live = live_at(text, step);
    EXPECT_TRUE(all_live(live, text.find(text.substr(line, 8)), 8));
    for (const char r : {text[line + 5], text[line + 7]}) {
      const size_t latest = text.rfind(std::string{';', r, '='}, line);
      const size_t value =
          latest == std::string::npos ? text.find(std::string{r, '='}) : latest + 1;
      EXPECT_TRUE(all_live(live, value, 3)) << r;
    }
    const size_t overwritten = text.find(std::string{';', text[line + 3], '='}, p.prompt.size());
    ASSERT_LT(overwritten, text.rfind(std::string{';', text[line + 3], '='}, line));
    EXPECT_TRUE(none_live(live, overwritten + 1, 3));
    // The wrap into pass 2 copies the line number pass 1 began with.
    const std::vector<char> wrap = live_at(text, text.find("\n011/120:", p.prompt.size()) + 1);
    EXPECT_TRUE(all_live(wrap, text.find("\n001/120:01:") + 1, 10));
    EXPECT_TRUE(none_live(wrap, text.find("\n002/120:02:") + 1, 10));
    const std::vector<char> last = live_at(text, text.find("\n120/120:") + 10);
    EXPECT_TRUE(none_live(last, text.find("\n09:") + 1, 8));
    EXPECT_TRUE(all_live(last, text.find("\n10:") + 1, 8));
  }
  {  // carry: x's latest digits; the previous line's items are dead
    const TaskProblem p = make_task_problems("carry", 1, 35)[0];
    const std::string text = p.prompt + p.trace;
    const size_t line = text.find("\n09/", p.prompt.size()) + 1;
    const std::vector<char> live = live_at(text, line);
    for (char tag = 'A'; tag < 'A' + 16; ++tag)
      EXPECT_TRUE(all_live(live, text.rfind(tag, line), 2)) << tag;
    EXPECT_TRUE(none_live(live, text.find("\n07/", p.prompt.size()) + 8, 100));
  }
}

// Model-written text can be anything: live sets never fail on it; text that is no problem fails.
TEST(LiveSet, SurvivesAnyTraceAndRefusesOtherText) {
  Rng rng(7);
  const std::string alphabet = "0123456789:;/>#=*+ \nabkAB";
  for (const TaskProblem& p : make_task_problems("all", 10, 36))
    for (int trial = 0; trial < 20; ++trial) {
      std::string text = p.prompt + p.trace.substr(0, rng.next() % p.trace.size());
      for (int i = 0; i < 200; ++i) text += alphabet[rng.next() % alphabet.size()];
      EXPECT_EQ(live_set(text).size(), text.size());
    }
  expect_error([] { live_set("hello\n"); },
               {"live: the text does not start with a `task FAMILY` line"});
  expect_error([] { live_set("task nope\nx"); }, {"known family"});
}

TEST(Tasks, BadFamilyAndKnobsNameTheOption) {
  auto make = [](std::string family, std::vector<std::string> knobs, int n = 2) {
    return [=] { make_task_problems(family, n, 1, knobs); };
  };
  expect_error(make("nope", {}),
               {"family:", "'nope'", "program, pointer, carry, walk, lemmas, all"});
  expect_error(make("program", {}, 0), {"n:", "at least 1"});
  expect_error(make("program", {"lines"}), {"knob lines", "name=value"});
  expect_error(make("program", {"lines=ten"}), {"knob lines=ten", "'ten' is not an integer"});
  expect_error(make("program", {"lines=9..4"}), {"knob lines=9..4", "empty range"});
  try {  // named as a field, which the CLI turns into its flag (TasksCli below)
    make("program", {"lines=ten"})();
    ADD_FAILURE() << "no error";
  } catch (const FieldError& e) {
    EXPECT_EQ(e.field(), "knob");
    EXPECT_EQ(e.rest(), " lines=ten: 'ten' is not an integer");
  }
  expect_error(make("program", {"lines=5", "lines=6"}), {"knob lines=6", "already set by lines=5"});
  expect_error(make("program", {"lines=100"}), {"knob lines=100", "program", "2..99"});
  expect_error(make("program", {"lines=4..100"}), {"knob lines=4..100", "2..99"});
  expect_error(make("program", {"digits=5"}),
               {"knob digits=5", "no knob 'digits'", "lines, registers, passes"});
  expect_error(make("all", {"width=5"}), {"knob width=5", "carry: digits, steps"});
  expect_error(make("pointer", {"hops=80", "distractors=30"}),
               {"knobs hops + distractors = 80 + 30", "99 available keys"});
  // A knob applies to every selected family that has it.
  for (const TaskProblem& p :
       make_task_problems("all", 3, 1, std::vector<std::string>{"digits=3"})) {
    if (p.group != "program") {
      EXPECT_EQ(p.answer.size(), 6u) << p.answer;
    }
  }
  EXPECT_NE(task_knob_help().find("pointer: hops=24 (1..99)"), std::string::npos)
      << task_knob_help();
}

TEST(TaskDataset, RoundTrips) {
  test::TempDir dir;
  auto problems = make_task_problems("all", 6, 1);
  problems[1].trace.clear();  // an evaluation problem without a reference trace
  write_dataset(dir / "d.jsonl", problems);
  EXPECT_EQ(read_dataset(dir / "d.jsonl"), problems);
  const std::string text = read_text_file(dir / "d.jsonl");
  EXPECT_EQ(text.substr(0, 22), "{\"id\":\"program-1-0\",\"g");  // field order as documented
  EXPECT_EQ(lines_of(text)[1].find("\"trace\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / ("d.jsonl.tmp." + std::to_string(::getpid()))));
}

TEST(TaskDataset, AcceptsExternalDatasets) {
  test::TempDir dir;
  write_file_atomic(dir / "e.jsonl",
                    "{\"id\": 7, \"prompt\": \"2+2?\", \"answer\": 4, \"extra\": [1]}\n\n"
                    "{\"id\": \"b\", \"group\": \"g\", \"prompt\": \"p\", \"answer\": \"x\"}");
  const auto problems = read_dataset(dir / "e.jsonl");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], (TaskProblem{"7", "all", "2+2?", "", "4"}));
  EXPECT_EQ(problems[1], (TaskProblem{"b", "g", "p", "", "x"}));
}

TEST(TaskDataset, BadLinesNameFileAndLine) {
  test::TempDir dir;
  const auto path = dir / "bad.jsonl";
  const std::string good = "{\"id\": \"a\", \"prompt\": \"p\", \"answer\": \"1\"}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {good + "{\"id\": \"b\", \"prompt\": \"p\"", ":2: invalid JSON"},
      {good + "[1, 2]\n", ":2: expected a JSON object, found array"},
      {"{\"id\": \"a\", \"answer\": \"1\"}\n", ":1: missing \"prompt\""},
      {"{\"prompt\": \"p\", \"answer\": \"1\"}\n", ":1: missing \"id\""},
      {good + "\n{\"id\": \"b\", \"prompt\": \"p\"}\n", ":3: missing \"answer\""},
      {"{\"id\": \"a\", \"prompt\": 5, \"answer\": \"1\"}\n",
       ":1: \"prompt\" must be a string, not number"},
      {"{\"id\": \"a\", \"prompt\": \"p\", \"answer\": [1]}\n",
       ":1: \"answer\" must be a string or an integer, not array"},
      {"{\"id\": \"a\", \"prompt\": \"p\", \"answer\": \"1\", \"trace\": null}\n",
       ":1: \"trace\" must be a string, not null"},
      {good + good, ":2: id \"a\" appears twice"},
  };
  for (const auto& [text, message] : cases) {
    write_file_atomic(path, text);
    expect_error([&] { read_dataset(path); }, {path.string() + message});
  }
  expect_error([&] { read_dataset(dir / "missing.jsonl"); }, {"missing.jsonl: cannot open"});
}

TEST(TasksCli, WritesTheDatasetAndASummary) {
  test::TempDir dir;
  const auto out = dir / "carry.jsonl";
  const auto r = test::run_command(
      test::cli() +
      " tasks --family carry --n 4 --seed 9 --knob digits=5 --knob steps=3..6 --out " +
      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_dataset(out),
            make_task_problems("carry", 4, 9, std::vector<std::string>{"digits=5", "steps=3..6"}));
  EXPECT_NE(r.output.find("wrote 4 problems to " + out.string() + " (family carry, seed 9)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("trace characters mean"), std::string::npos) << r.output;

  const auto all = test::run_command(test::cli() + " tasks --family all --n 5 --out " +
                                     (dir / "all.jsonl").string());
  ASSERT_EQ(all.exit_code, 0) << all.output;
  for (const char* group : {"all ", "program ", "pointer ", "carry ", "walk ", "lemmas "})
    EXPECT_NE(all.output.find(std::string("  ") + group), std::string::npos) << all.output;
}

TEST(TasksCli, BadOptionsFailNamingTheOption) {
  test::TempDir dir;
  const std::string out = (dir / "x.jsonl").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--family nope --n 2", "--family: unknown task family 'nope'"},
      {"--family walk,nope --n 2", "--family: unknown task family 'nope'"},
      {"--family lemmas --n 2 --knob rounds=30 --knob warmup=0",
       "rounds - warmup = 30 - 0 must be 1..20"},
      {"--family carry --n 2 --knob digits=99",
       "--knob digits=99: digits of family carry takes 1..26"},
      {"--family carry --n 2 --knob hops=3", "--knob hops=3: no knob 'hops'"},
      {"--family carry --n -1", "--n: the number of problems must be at least 1"},
      {"--family carry", "--n is required"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = test::run_command(test::cli() + " tasks " + args + " --out " + out);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(out)) << args;
  }
}

}  // namespace
}  // namespace foresight
