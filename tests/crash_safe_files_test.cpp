// Outputs under interruption: an atomic write replaces the old file whole or not at all, and
// a resumed run's train log drops what the interrupted run wrote after its checkpoint,
// including a line cut off in the middle. (tests/kill_resume_test.cpp kills real runs.)
#include <fstream>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/json_file.hpp"
#include "optim/train_log.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  return names;
}

TEST(AtomicFile, ReplacesWholeOrNotAtAll) {
  test::TempDir dir;
  write_file_atomic(dir / "out.txt", "old");
  write_file_atomic(dir / "out.txt", "new contents");
  EXPECT_EQ(read_text_file(dir / "out.txt"), "new contents");
  {
    AtomicFile abandoned(dir / "out.txt");  // as when a writer throws before commit()
    abandoned.write("half of someth");
  }
  EXPECT_EQ(read_text_file(dir / "out.txt"), "new contents");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out.txt"});  // no temporary left
}

TEST(TrainLog, ResumeDropsLinesAfterTheCheckpointAndACutOffLine) {
  test::TempDir dir;
  const auto path = dir / "train_log.jsonl";
  {
    TrainLog log(path, -1);
    for (int step = 1; step <= 4; ++step) log.write({{"step", step}, {"loss", 1.0 / step}});
    log.write({{"step", 4}, {"eval", "heldout"}});
  }
  std::ofstream(path, std::ios::app) << R"({"step": 5, "lo)";  // killed mid-line
  {
    TrainLog log(path, 2);  // resumed from the checkpoint of step 2
    log.write({{"step", 3}, {"loss", 0.25}});
  }
  const std::vector<Json> lines = test::read_jsonl(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["step"], 1);
  EXPECT_EQ(lines[1]["step"], 2);
  EXPECT_EQ(lines[2], Json({{"step", 3}, {"loss", 0.25}}));

  TrainLog fresh(path, -1);  // a fresh run starts the log anew
  EXPECT_TRUE(test::read_jsonl(path).empty());
}

}  // namespace
}  // namespace foresight
