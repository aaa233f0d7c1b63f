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

TEST(Progress, FormatsLines) {
  EXPECT_EQ(format_progress_line("eval", 123, 456, 10, false),
            "eval [#####...............] 123/456 26% 12.3/s ETA 27s");
  EXPECT_EQ(format_progress_line("eval", 0, 456, 0, false),
            "eval [....................] 0/456 0% --/s ETA --");
  EXPECT_EQ(format_progress_line("eval", 456, 456, 65, true),
            "eval [####################] 456/456 100% 7.02/s in 1m05s");
  EXPECT_EQ(format_progress_line("tokens", 50, 0, 2, false), "tokens 50 25.0/s");
  EXPECT_EQ(format_progress_line("x", 7, 5, 1, false),
            "x [####################] 7/5 140% 7.00/s ETA 0.0s");
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

TEST(Progress, PlainOutputPrintsEveryFivePercentThenTheFinalLine) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("eval", 100, f, /*interactive=*/false);
    for (int i = 0; i < 100; ++i) p.advance();
  }  // the destructor finishes the bar
  const auto lines = lines_of(f);
  std::fclose(f);
  ASSERT_EQ(lines.size(), 20u);  // 5%, 10%, ..., 95%, then the final line
  EXPECT_NE(lines[0].find(" 5/100 5% "), std::string::npos) << lines[0];
  EXPECT_NE(lines[18].find(" 95/100 95% "), std::string::npos) << lines[18];
  EXPECT_NE(lines[19].find(" 100/100 100% "), std::string::npos) << lines[19];
  EXPECT_NE(lines[19].find(" in "), std::string::npos) << lines[19];
}

TEST(Progress, AdvanceIsThreadSafe) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("eval", 20000, f, /*interactive=*/true);
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
  EXPECT_NE(lines[0].find(" 20000/20000 100% "), std::string::npos);
}

TEST(Progress, UnwindingEndsTheLineWithoutFinishing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  try {
    Progress p("eval", 10, f, /*interactive=*/false);
    p.advance(5);
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  const auto lines = lines_of(f);
  std::fclose(f);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find(" in "), std::string::npos);
}

}  // namespace
}  // namespace foresight
