// `foresight tokenize`: JSONL in, JSONL out; bad input lines are reported by file and line.
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/json_file.hpp"
#include "model/byte_tokenizer.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

class TokenizeCli : public ::testing::Test {
 protected:
  void SetUp() override { write_file_atomic(tokenizer, spec.json); }

  test::CommandResult run(const std::string& args) {
    return test::run_command(test::cli() + " tokenize --tokenizer " + tokenizer.string() + " " +
                             args);
  }

  test::TempDir dir;
  ByteTokenizer spec = make_byte_level_tokenizer();
  std::filesystem::path tokenizer = dir / "tokenizer.json";
};

TEST_F(TokenizeCli, EncodesText) {
  auto r = run("--text 'hi<|im_end|>'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Json line = Json::parse(r.output);
  EXPECT_EQ(line["text"], "hi<|im_end|>");
  EXPECT_EQ(line["ids"], Json::array({'h', 'i', spec.im_end_id}));
}

TEST_F(TokenizeCli, EncodesAndDecodesJsonl) {
  write_file_atomic(dir / "in.jsonl",
                    "{\"id\": 1, \"text\": \"a b\"}\n\n{\"text\": \"<think>\"}\n");
  auto r = run("--input " + (dir / "in.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "{\"id\":1,\"ids\":[97,32,98],\"text\":\"a b\"}\n{\"ids\":[" +
                          std::to_string(spec.think_id) + "],\"text\":\"<think>\"}\n");

  write_file_atomic(dir / "ids.jsonl",
                    "{\"ids\": [104, 105, " + std::to_string(spec.endoftext_id) + "]}\n");
  r = run("--decode --input " + (dir / "ids.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Json::parse(r.output)["text"], "hi<|endoftext|>");
  r = run("--decode --skip-special --text '104,105 " + std::to_string(spec.endoftext_id) + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Json::parse(r.output)["text"], "hi");
}

TEST_F(TokenizeCli, ReportsTheBadLine) {
  const auto input = dir / "bad.jsonl";
  write_file_atomic(input, "{\"text\": \"ok\"}\n{\"text\": \"cut\n");
  auto r = run("--input " + input.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(input.string() + ":2: invalid JSON"), std::string::npos) << r.output;

  write_file_atomic(input, "{\"text\": 5}\n");
  r = run("--input " + input.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(input.string() + ":1: expected a \"text\" string"), std::string::npos)
      << r.output;

  write_file_atomic(input, "{\"ids\": [1, 999999]}\n");
  r = run("--decode --input " + input.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(input.string() + ":1: decode: id 999999"), std::string::npos) << r.output;
}

TEST_F(TokenizeCli, NeedsInputOrText) {
  auto r = run("");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--input or --text"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace foresight
