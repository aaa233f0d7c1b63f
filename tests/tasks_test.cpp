// Synthetic task families: every reference trace is re-checked step by step against its own
// prompt by small independent simulators (parsing the prompt text, integer arithmetic instead of
// columns); determinism per seed; lengths respond to the knobs; the live set stays far below a
// quarter of the trace; knob, dataset and CLI errors name the option, file and line.
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <unistd.h>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
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
std::vector<int> check_items(const std::string& items, const std::vector<int>& x, int m, int carry_in) {
  std::istringstream in(items);
  std::vector<int> next;
  int carry = carry_in;
  for (std::string item; in >> item;) {
    const size_t c = next.size();
    const std::string expected_start = {char('a' + c), char('0' + x.at(c)), '*', char('0' + m), '+',
                                        char('0' + carry), '='};
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
  EXPECT_EQ(prompt.back(), "run " + std::to_string(passes) + (passes == 1 ? " pass" : " passes"));

  const auto trace = lines_of(p.trace);
  size_t t = 0;
  for (int pass = 1; pass <= passes; ++pass) {
    EXPECT_EQ(trace.at(t++), "pass " + std::to_string(pass) + "/" + std::to_string(passes));
    for (size_t i = 0; i < program.size(); ++i) {
      const std::string& in = program[i];
      ASSERT_EQ(in.size(), 8u) << in;
      EXPECT_EQ(in.substr(0, 3), two_digits(int(i) + 1) + ":");
      const char dest = in[3], lhs = in[5], op = in[6], rhs = in[7];
      EXPECT_EQ(in[4], '<');
      ASSERT_TRUE(reg.count(dest) && reg.count(lhs) && reg.count(rhs) && lhs != rhs) << in;
      const int result = op == '+' ? (reg[lhs] + reg[rhs]) % 10 : (reg[lhs] - reg[rhs] + 10) % 10;
      EXPECT_EQ(trace.at(t++), in + ";" + lhs + "=" + char('0' + reg[lhs]) + ";" + rhs + "=" +
                                   char('0' + reg[rhs]) + ";" + dest + "=" + char('0' + result));
      reg[dest] = result;
    }
  }
  std::string file;
  for (const auto& [name, value] : reg) file += (file.empty() ? "" : " ") + std::string{name, '='} + char('0' + value);
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
    EXPECT_TRUE(table.emplace(e.substr(0, 3), std::pair{e.substr(4, colon - 4), std::stoi(e.substr(colon + 1))}).second)
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
    const std::string head = two_digits(int(hop) + 1) + ":" + key + ">" + target + ":" + char('0' + w) + ";";
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

// Applies x <- x*m + a with integer arithmetic and compares every line.
void check_carry(const TaskProblem& p) {
  const auto prompt = lines_of(p.prompt);
  ASSERT_EQ(prompt.size(), 3u);
  std::vector<int> x = parse_tagged(prompt[1].substr(2));
  const std::string& rule = prompt[2];  // repeat 10: x<x*7+4
  const size_t colon = rule.find(':');
  const int steps = std::stoi(rule.substr(7, colon - 7));
  const int m = rule.at(colon + 6) - '0', a = rule.at(colon + 8) - '0';
  EXPECT_EQ(rule, "repeat " + std::to_string(steps) + ": x<x*" + char('0' + m) + "+" + char('0' + a));

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

void check(const TaskProblem& p) {
  SCOPED_TRACE(p.id + "\n" + p.prompt + p.trace);
  check_answer(p);
  if (p.group == "program") check_program(p);
  else if (p.group == "pointer") check_pointer(p);
  else if (p.group == "carry") check_carry(p);
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
    for (const std::string& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Tasks, EveryReferenceTraceIsConsistentWithItsPrompt) {
  for (const TaskProblem& p : make_task_problems("all", 30, 11)) check(p);
  const std::vector<std::string> small = {"lines=2", "registers=2", "passes=1", "hops=1",
                                          "distractors=0", "digits=1", "steps=1"};
  for (const TaskProblem& p : make_task_problems("all", 6, 12, small)) check(p);
  const std::vector<std::string> large = {"lines=99", "registers=26", "passes=2", "hops=60",
                                          "distractors=39", "digits=8", "steps=3"};
  for (const TaskProblem& p : make_task_problems("all", 3, 13, large)) check(p);
  for (const TaskProblem& p : make_task_problems("carry", 2, 14, std::vector<std::string>{"digits=26"})) check(p);
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
  const auto a = make_task_problems("all", 9, 5), b = make_task_problems("all", 9, 5);
  EXPECT_EQ(a, b);
  const auto prefix = make_task_problems("all", 4, 5);
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), a.begin()));  // a larger n extends
  const auto other = make_task_problems("all", 9, 6);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].group, std::vector<std::string>({"program", "pointer", "carry"})[i % 3]);
    EXPECT_EQ(a[i].id, a[i].group + "-5-" + std::to_string(i));
    EXPECT_NE(a[i].prompt, other[i].prompt);
    EXPECT_NE(a[i].trace, other[i].trace);
  }
  // Families made separately with one seed do not share their draws: the first digits drawn
  // (program's registers, carry's x) differ.
  const std::string registers = lines_of(make_task_problems("program", 1, 1)[0].prompt)[1];
  const std::string x = lines_of(make_task_problems("carry", 1, 1)[0].prompt)[1];
  std::string register_digits, x_digits;
  for (size_t i = 0; i < 8; ++i) {
    register_digits += registers.at(4 * i + 2);
    x_digits += x.at(2 * i + 3);
  }
  EXPECT_NE(register_digits, x_digits);
}

TEST(Tasks, DefaultLengthsAndKnobsSpanTheIntendedRange) {
  for (const std::string_view family : task_families()) {
    const double mean = mean_trace_length(make_task_problems(family, 6, 1));
    EXPECT_GT(mean, 1400) << family;
    EXPECT_LT(mean, 2000) << family;
  }
  // (family, knob, a short setting, a long setting): both ends inside ~500..3000 characters.
  const std::vector<std::tuple<std::string, std::string, int, int>> cases = {
      {"program", "lines", 8, 46}, {"pointer", "hops", 7, 40}, {"carry", "steps", 4, 19}};
  for (const auto& [family, knob, small, large] : cases) {
    const double short_mean = mean_trace_length(make_task_problems(family, 3, 2, std::vector{knob + "=" + std::to_string(small)}));
    const double long_mean = mean_trace_length(make_task_problems(family, 3, 2, std::vector{knob + "=" + std::to_string(large)}));
    EXPECT_GE(short_mean, 500) << family;
    EXPECT_LT(short_mean, 700) << family;
    EXPECT_GT(long_mean, 2700) << family;
    EXPECT_LE(long_mean, 3000) << family;
  }
  EXPECT_GT(mean_trace_length(make_task_problems("program", 3, 2, std::vector<std::string>{"passes=4"})),
            mean_trace_length(make_task_problems("program", 3, 2)));
  EXPECT_GT(mean_trace_length(make_task_problems("pointer", 3, 2, std::vector<std::string>{"digits=7"})),
            mean_trace_length(make_task_problems("pointer", 3, 2)));
  EXPECT_GT(mean_trace_length(make_task_problems("carry", 3, 2, std::vector<std::string>{"digits=20"})),
            mean_trace_length(make_task_problems("carry", 3, 2)));
}

TEST(Tasks, RangedKnobsDrawPerProblem) {
  const auto problems = make_task_problems("pointer", 40, 3, std::vector<std::string>{"hops=5..9", "distractors=0..3"});
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
  EXPECT_GT(count(plus_only, '+'), 100u);
  EXPECT_EQ(count(plus_only, '-'), 0u);
  const auto both = make_task_problems("program", 5, 8, std::vector<std::string>{"operators=2"});
  EXPECT_GT(count(both, '+'), 30u);
  EXPECT_GT(count(both, '-'), 30u);
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

// What must stay in the cache at the first step (everything a later step copies), counted in
// characters of the prompt, against the length of the trace at the default knobs.
TEST(Tasks, LiveSetIsFarBelowAQuarterOfTheTrace) {
  const TaskProblem program = make_task_problems("program", 1, 4)[0];
  const auto prompt = lines_of(program.prompt);
  const size_t program_chars = program.prompt.size() - prompt.front().size() - prompt.back().size() - 2;
  EXPECT_LT(double(program_chars), 0.18 * double(program.trace.size()));  // program + registers

  const TaskProblem pointer = make_task_problems("pointer", 1, 4)[0];
  const size_t hops = lines_of(pointer.trace).size() - 2;
  const size_t chain_chars = hops * std::string("k00>k00:0\n").size() + lines_of(pointer.prompt).back().size() + 10;
  EXPECT_LT(double(chain_chars), 0.18 * double(pointer.trace.size()));  // chain + s + rule

  // Carry needs the previous line's tagged digits (as long as the answer) and the rule.
  const TaskProblem carry = make_task_problems("carry", 1, 4)[0];
  EXPECT_LT(double(carry.answer.size() + 16), 0.05 * double(carry.trace.size()));
}

TEST(Tasks, BadFamilyAndKnobsNameTheOption) {
  auto make = [](std::string family, std::vector<std::string> knobs, int n = 2) {
    return [=] { make_task_problems(family, n, 1, knobs); };
  };
  expect_error(make("nope", {}), {"--family", "'nope'", "program, pointer, carry, all"});
  expect_error(make("program", {}, 0), {"--n", "at least 1"});
  expect_error(make("program", {"lines"}), {"--knob lines", "name=value"});
  expect_error(make("program", {"lines=ten"}), {"--knob lines=ten", "'ten' is not an integer"});
  expect_error(make("program", {"lines=9..4"}), {"--knob lines=9..4", "empty range"});
  expect_error(make("program", {"lines=5", "lines=6"}), {"--knob lines=6", "already set by lines=5"});
  expect_error(make("program", {"lines=100"}), {"--knob lines=100", "program", "2..99"});
  expect_error(make("program", {"lines=4..100"}), {"--knob lines=4..100", "2..99"});
  expect_error(make("program", {"digits=5"}), {"--knob digits=5", "no knob 'digits'", "lines, registers, passes"});
  expect_error(make("all", {"width=5"}), {"--knob width=5", "carry: digits, steps"});
  expect_error(make("pointer", {"hops=80", "distractors=30"}), {"knobs hops + distractors = 80 + 30", "99 available keys"});
  // A knob applies to every selected family that has it.
  for (const TaskProblem& p : make_task_problems("all", 3, 1, std::vector<std::string>{"digits=3"})) {
    if (p.group != "program") {
      EXPECT_EQ(p.answer.size(), 6u) << p.answer;
    }
  }
  EXPECT_NE(task_knob_help().find("pointer: hops=24 (1..99)"), std::string::npos) << task_knob_help();
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
  write_file_atomic(dir / "e.jsonl", "{\"id\": 7, \"prompt\": \"2+2?\", \"answer\": 4, \"extra\": [1]}\n\n"
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
      {"{\"id\": \"a\", \"prompt\": 5, \"answer\": \"1\"}\n", ":1: \"prompt\" must be a string, not number"},
      {"{\"id\": \"a\", \"prompt\": \"p\", \"answer\": [1]}\n", ":1: \"answer\" must be a string or an integer, not array"},
      {"{\"id\": \"a\", \"prompt\": \"p\", \"answer\": \"1\", \"trace\": null}\n", ":1: \"trace\" must be a string, not null"},
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
  const auto r = test::run_command(test::cli() + " tasks --family carry --n 4 --seed 9 --knob digits=5 --knob steps=3..6 --out " +
                                   out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_dataset(out), make_task_problems("carry", 4, 9, std::vector<std::string>{"digits=5", "steps=3..6"}));
  EXPECT_NE(r.output.find("wrote 4 problems to " + out.string() + " (family carry, seed 9)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("trace characters mean"), std::string::npos) << r.output;

  const auto all = test::run_command(test::cli() + " tasks --family all --n 3 --out " + (dir / "all.jsonl").string());
  ASSERT_EQ(all.exit_code, 0) << all.output;
  for (const char* group : {"all ", "program ", "pointer ", "carry "})
    EXPECT_NE(all.output.find(std::string("  ") + group), std::string::npos) << all.output;
}

TEST(TasksCli, BadOptionsFailNamingTheOption) {
  test::TempDir dir;
  const std::string out = (dir / "x.jsonl").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--family nope --n 2", "--family: unknown task family 'nope'"},
      {"--family carry --n 2 --knob digits=99", "--knob digits=99: digits of family carry takes 1..26"},
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
