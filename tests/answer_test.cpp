// Answer extraction and grading: boxed answers (brace matching, last wins, broken output),
// formatting-tolerant maths comparison, answer lines, and robustness on arbitrary bytes.
#include <random>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "tasks/answer.hpp"

namespace foresight {
namespace {

TEST(LastBoxed, MatchesNestedBraces) {
  EXPECT_EQ(last_boxed("so \\boxed{\\frac{1}{2}} done"), "\\frac{1}{2}");
  EXPECT_EQ(last_boxed("\\boxed{{a}{b{c}}}"), "{a}{b{c}}");
  EXPECT_EQ(last_boxed("\\boxed{\\{1, 2\\}}"), "\\{1, 2\\}");  // escaped braces are content
  EXPECT_EQ(last_boxed("\\boxed {7}"), "7");
}

TEST(LastBoxed, LastOfSeveralWins) {
  EXPECT_EQ(last_boxed("first \\boxed{3}, then \\boxed{4}; final \\boxed{5}."), "5");
}

TEST(LastBoxed, NoneGivesNullopt) {
  EXPECT_EQ(last_boxed(""), std::nullopt);
  EXPECT_EQ(last_boxed("the answer is 5"), std::nullopt);
  EXPECT_EQ(last_boxed("\\boxed 5"), std::nullopt);  // only the braced form counts
  EXPECT_EQ(last_boxed("\\boxedx{5}"), std::nullopt);
  EXPECT_EQ(last_boxed("\\boxed"), std::nullopt);
  EXPECT_EQ(last_boxed("\\"), std::nullopt);
}

TEST(LastBoxed, UnterminatedLastBoxFallsBackToAnEarlierCompleteOne) {
  EXPECT_EQ(last_boxed("\\boxed{12} and then \\boxed{\\frac{1}{"), "12");
  EXPECT_EQ(last_boxed("\\boxed{\\frac{1}{2}"), std::nullopt);
  EXPECT_EQ(last_boxed("\\boxed{a \\boxed{b}"), "b");
  EXPECT_EQ(last_boxed("}}} \\boxed{x}}}"), "x");  // stray closing braces are ignored
}

TEST(LastBoxed, EmptyBoxIsAnEmptyAnswer) {
  EXPECT_EQ(last_boxed("\\boxed{}"), "");
  EXPECT_FALSE(grade(GraderKind::Boxed, "\\boxed{}", "0"));
}

TEST(MathAnswers, IntegersWithFormatting) {
  EXPECT_TRUE(math_answers_equal("1,000", "1000"));
  EXPECT_TRUE(math_answers_equal(" $1,234,567$ ", "1234567"));
  EXPECT_TRUE(math_answers_equal("007", "7"));
  EXPECT_TRUE(math_answers_equal("+5", "5"));
  EXPECT_TRUE(math_answers_equal("-0", "0"));
  EXPECT_TRUE(math_answers_equal("-12", "-0012"));
  EXPECT_TRUE(math_answers_equal("123456789012345678901234567890",
                                 "123,456,789,012,345,678,901,234,567,890"));
  EXPECT_TRUE(math_answers_equal("\\text{42}", "42"));
  EXPECT_TRUE(math_answers_equal("42.", "42"));
  EXPECT_FALSE(math_answers_equal("-5", "5"));
  EXPECT_FALSE(math_answers_equal("1,00", "100"));  // not a thousands separator: a tuple
  EXPECT_FALSE(math_answers_equal("1,2", "12"));
  EXPECT_FALSE(math_answers_equal("12", "13"));
  EXPECT_FALSE(math_answers_equal("", ""));
}

TEST(MathAnswers, NormalisedStrings) {
  EXPECT_TRUE(math_answers_equal("\\dfrac{1}{2}", "\\frac{1}{2}"));
  EXPECT_TRUE(math_answers_equal("\\tfrac{1}{2}", "\\frac {1}{2}"));
  EXPECT_TRUE(math_answers_equal("\\left( 1, 2 \\right)", "(1,2)"));
  EXPECT_TRUE(math_answers_equal("90^\\circ", "90"));
  EXPECT_TRUE(math_answers_equal("90^{\\circ}", "90"));
  EXPECT_TRUE(math_answers_equal("\\text{(B)}", "(B)"));
  EXPECT_TRUE(math_answers_equal("5\\text{ cm}", "5cm"));
  EXPECT_TRUE(math_answers_equal("3\\!\\sqrt{2}", "3\\sqrt{2}"));
  EXPECT_TRUE(math_answers_equal("x \\leftarrow y", "x\\leftarrowy"));  // \left only as a word
  EXPECT_FALSE(math_answers_equal("\\frac{1}{2}", "\\frac{2}{4}"));     // no algebra
  EXPECT_FALSE(math_answers_equal("0.5", "\\frac{1}{2}"));
}

TEST(Grade, BoxedUsesTheLastBox) {
  EXPECT_TRUE(grade(GraderKind::Boxed, "maybe \\boxed{3}... no: \\boxed{1{,}000}", "1{,}000"));
  EXPECT_TRUE(grade(GraderKind::Boxed, "so $\\boxed{\\dfrac{3}{4}}$.", "\\frac{3}{4}"));
  EXPECT_FALSE(grade(GraderKind::Boxed, "the answer is 5", "5"));
}

TEST(AnswerLine, LastLineWins) {
  EXPECT_EQ(final_answer_line("answer: 3\nthinking\nanswer: 4\nbye"), "4");
  EXPECT_EQ(final_answer_line("  answer:   x y  "), "x y");
  EXPECT_EQ(final_answer_line("answer:"), "");
  EXPECT_EQ(final_answer_line("the answer: 5"), std::nullopt);  // must start the line
  EXPECT_EQ(final_answer_line("Answer: 5"), std::nullopt);      // case-sensitive
  EXPECT_EQ(final_answer_line(""), std::nullopt);
  EXPECT_EQ(final_answer_line("result= 9\n", "result="), "9");
  EXPECT_THROW(final_answer_line("x", ""), Error);
}

TEST(AnswerLine, HandlesCrlf) {
  EXPECT_EQ(final_answer_line("a\r\nanswer: 17\r\n\r\n"), "17");
  EXPECT_TRUE(grade(GraderKind::AnswerLine, "work\r\nanswer: abc\r\n", "abc\n"));
}

TEST(Grade, AnswerLineIsExact) {
  EXPECT_TRUE(grade(GraderKind::AnswerLine, "answer: 1 2 3", " 1 2 3 "));
  EXPECT_FALSE(grade(GraderKind::AnswerLine, "answer: 1,000", "1000"));
  EXPECT_FALSE(grade(GraderKind::AnswerLine, "answer: 10", "1"));
  EXPECT_FALSE(grade(GraderKind::AnswerLine, "no answer here", "1"));
  EXPECT_FALSE(grade(GraderKind::AnswerLine, "answer:", ""));  // empty answers never count
  EXPECT_TRUE(grade(GraderKind::AnswerLine, "ans= 4", "4", "ans="));
}

TEST(Grade, ParsesGraderNames) {
  EXPECT_EQ(parse_grader("boxed"), GraderKind::Boxed);
  EXPECT_EQ(parse_grader("answer-line"), GraderKind::AnswerLine);
  EXPECT_EQ(grader_name(parse_grader("answer-line")), "answer-line");
  try {
    parse_grader("Boxed");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Boxed"), std::string::npos);
  }
}

// Model output is arbitrary bytes; extraction and grading must never throw or crash on it.
// The alphabet is biased towards the characters the parsers care about.
TEST(AnswerFuzz, RandomBytesNeverThrow) {
  std::mt19937_64 rng(1234);
  const std::string pieces[] = {"\\boxed{", "\\boxed", "{",       "}",       "\\", "\\{",  "\\}",
                                "\n",       "\r\n",    "answer:", " ",       "1",  ",000", "$",
                                "\\left",   "\\text{", "^\\circ", "\\dfrac", ".",  "-"};
  for (int n = 0; n < 1000; ++n) {
    std::string s;
    const int len = int(rng() % 64);
    for (int i = 0; i < len; ++i) {
      if (rng() % 2 == 0) {
        s += char(rng() % 256);
      } else {
        s += pieces[rng() % std::size(pieces)];
      }
    }
    EXPECT_NO_THROW({
      auto boxed = last_boxed(s);
      if (boxed) {
        EXPECT_LE(boxed->size(), s.size());
      }
      (void)final_answer_line(s);
      (void)math_answers_equal(s, s.substr(s.size() / 2));
      (void)grade(GraderKind::Boxed, s, "1");
      (void)grade(GraderKind::AnswerLine, s, "1");
    }) << "input #"
       << n;
  }
}

TEST(AnswerLine, GenerationStopsOnceTheAnswerLineIsComplete) {
  EXPECT_FALSE(ends_with_answer_line("step 1\nanswer: 4"));  // the line may go on
  EXPECT_TRUE(ends_with_answer_line("step 1\nanswer: 42\n"));
  EXPECT_TRUE(ends_with_answer_line("  answer: 42\n"));
  EXPECT_FALSE(ends_with_answer_line("answer: 4\nmore\n"));
  EXPECT_FALSE(ends_with_answer_line(""));
  EXPECT_FALSE(ends_with_answer_line("\n"));
  EXPECT_TRUE(ends_with_answer_line("x\nresult 7\n", "result"));
}

}  // namespace
}  // namespace foresight
