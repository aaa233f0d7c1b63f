// The progress bar: duration and line formatting (pure), and how often each output mode prints.
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/progress.hpp"

namespace foresight {
namespace {

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "0.0s");
  EXPECT_EQ(format_duration(3.24), "3.2s");
  EXPECT_EQ(format_duration(9.96), "10s");
  EXPECT_EQ(format_duration(42.4), "42s");
  EXPECT_EQ(format_duration(59.6), "1m00s");
  EXPECT_EQ(format_duration(65), "1m05s");
  EXPECT_EQ(format_duration(3599), "59m59s");
  EXPECT_EQ(format_duration(3600), "1h00m");
  EXPECT_EQ(format_duration(2 * 3600 + 3 * 60 + 10), "2h03m");
  EXPECT_EQ(format_duration(100 * 3600), "100h00m");
  EXPECT_EQ(format_duration(-1), "--");
  EXPECT_EQ(format_duration(NAN), "--");
  EXPECT_EQ(format_duration(INFINITY), "--");
}

TEST(Progress, FormatsCounts) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(9999), "9999");
  EXPECT_EQ(format_count(12345), "12.3k");
  EXPECT_EQ(format_count(999949), "999.9k");
  EXPECT_EQ(format_count(4700000), "4.70M");
}

TEST(Progress, FormatsLines) {
  EXPECT_EQ(format_progress_line("eval", 123, 456, "", 10, false),
            "eval [#####...............] 123/456 26% 12.3/s ETA 27s");
  EXPECT_EQ(format_progress_line("eval", 0, 456, "", 0, false),
            "eval [....................] 0/456 0% --/s ETA --");
  EXPECT_EQ(format_progress_line("eval", 456, 456, "", 65, true),
            "eval [####################] 456/456 100% 7.02/s in 1m05s");
  EXPECT_EQ(format_progress_line("tokens", 50, 0, "", 2, false), "tokens 50 25.0/s");
  EXPECT_EQ(format_progress_line("x", 7, 5, "", 1, false),
            "x [####################] 7/5 140% 7.00/s ETA 0.0s");
  // in a unit, with large counts: the ETA is what is left at the rate so far
  EXPECT_EQ(format_progress_line("eval", 1230000, 4700000, "tok", 800, false),
            "eval [#####...............] 1.23M/4.70M tok 26% 1538 tok/s ETA 37m37s");
  EXPECT_EQ(format_progress_line("eval", 20000, 0, "tok", 4, false), "eval 20.0k tok 5000 tok/s");
}

std::vector<std::string> lines_of(std::FILE* f) {
  std::rewind(f);
  std::vector<std::string> lines;
  std::string line;
  for (int c; (c = std::fgetc(f)) != EOF;) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line += char(c);
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

TEST(Progress, PlainOutputPrintsOnItsClockThenTheFinalLine) {
  for (const double every : {0.0, 1e9}) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
      Progress p("eval", 100, "tok", f, /*interactive=*/false, every);
      for (int i = 0; i < 5; ++i) p.advance(20);
    }  // the destructor finishes the bar
    const auto lines = lines_of(f);
    std::fclose(f);
    // every advance when the interval is 0, else nothing before the final line
    ASSERT_EQ(lines.size(), every == 0 ? 6u : 1u);
    if (every == 0) {
      EXPECT_NE(lines[0].find(" 20/100 tok 20% "), std::string::npos) << lines[0];
    }
    EXPECT_NE(lines.back().find(" 100/100 tok 100% "), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find(" in "), std::string::npos) << lines.back();
  }
}

TEST(Progress, TheTotalShrinksWhenWorkIsNotNeeded) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("eval", 2 * 50, "tok", f, /*interactive=*/false, 0.0);
    p.advance(10);
    p.add_total(-40);  // the first of two generations stopped after 10 of its 50 tokens
    p.advance(50);
  }
  const auto lines = lines_of(f);
  std::fclose(f);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find(" 10/100 tok 10% "), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(" 60/60 tok 100% "), std::string::npos) << lines[1];
}

TEST(Progress, AdvanceIsThreadSafe) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("eval", 20000, "", f, /*interactive=*/true);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&p] {
        for (int i = 0; i < 10000; ++i) p.advance();
      });
    }
    for (auto& t : threads) t.join();
    p.finish();
    p.finish();  // a second finish prints nothing
  }
  const auto lines = lines_of(f);
  std::fclose(f);
  ASSERT_EQ(lines.size(), 1u);  // redrawn in place with \r, one newline at the end
  EXPECT_EQ(lines[0].front(), '\r');
  EXPECT_NE(lines[0].find(" 20.0k/20.0k 100% "), std::string::npos);
}

TEST(Progress, UnwindingEndsTheLineWithoutFinishing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  try {
    Progress p("eval", 10, "", f, /*interactive=*/false, 0.0);
    p.advance(5);
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  const auto lines = lines_of(f);
  std::fclose(f);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find(" in "), std::string::npos);
}

// The ranks of a job other than 0 count without printing.
TEST(Progress, NoStreamMeansNoOutput) {
  Progress p("traces", 10, "tok", nullptr);
  p.advance(5);
  p.set_status("quiet");
  p.finish();
  try {
    Progress unwinding("traces", 10, "tok", nullptr, /*interactive=*/true, 0.0);
    unwinding.advance(5);
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
}

}  // namespace
}  // namespace foresight
