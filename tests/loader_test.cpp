// Bad model directories: each problem gives an Error naming the file and what is wrong, and the
// CLI exits non-zero with that message instead of crashing.
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/model.hpp"
#include "model/random_model.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

// Edits the JSON header of a safetensors file, keeping its data bytes.
void edit_header(const std::filesystem::path& p, const std::function<void(Json&)>& edit) {
  const std::string bytes = read_text_file(p);
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  Json header = Json::parse(bytes.substr(8, n));
  edit(header);
  std::string text = header.dump();
  const uint64_t m = text.size();
  write_file_atomic(p,
                    std::string(reinterpret_cast<const char*>(&m), 8) + text + bytes.substr(8 + n));
}

class BadModelTest : public ::testing::Test {
 protected:
  void SetUp() override { write_random_model(dir.path(), RandomModelSpec{}); }

  // Loading fails with a message holding every one of `parts`, in the library and the CLI.
  void expect_refused(std::initializer_list<std::string> parts) {
    try {
      Model::load(dir.path());
      ADD_FAILURE() << "loading succeeded";
    } catch (const Error& e) {
      for (const auto& part : parts)
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
            << "message '" << e.what() << "' lacks '" << part << "'";
    }
    const auto r = test::run_command(test::cli() + " info --model " + dir.path().string());
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("error"), std::string::npos) << r.output;
  }

  std::filesystem::path weights() const { return dir / "model.safetensors"; }
  test::TempDir dir;
};

TEST_F(BadModelTest, GoodModelLoads) {
  auto model = Model::load(dir.path());
  EXPECT_EQ(model->config().n_layers, 2);
  const auto r = test::run_command(test::cli() + " info --model " + dir.path().string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Qwen3ForCausalLM"), std::string::npos);
}

TEST_F(BadModelTest, TruncatedToFewBytes) {
  write_file_atomic(weights(), "abc");
  expect_refused({"model.safetensors", "truncated"});
}

TEST_F(BadModelTest, TruncatedData) {
  const std::string bytes = read_text_file(weights());
  write_file_atomic(weights(), bytes.substr(0, bytes.size() - 100));
  expect_refused({"model.safetensors", "outside"});
}

TEST_F(BadModelTest, HeaderLengthPastTheEnd) {
  std::string bytes = read_text_file(weights());
  const uint64_t huge = uint64_t{1} << 40;
  std::memcpy(bytes.data(), &huge, 8);
  write_file_atomic(weights(), bytes);
  expect_refused({"model.safetensors", "header length"});
}

TEST_F(BadModelTest, OffsetsOutOfRange) {
  edit_header(weights(), [](Json& h) {
    h["model.norm.weight"]["data_offsets"] = {uint64_t{1} << 40, (uint64_t{1} << 40) + 256};
  });
  expect_refused({"model.safetensors", "model.norm.weight", "outside"});
}

TEST_F(BadModelTest, OverlappingTensors) {
  edit_header(weights(), [](Json& h) {
    h["model.norm.weight"]["data_offsets"] =
        h["model.layers.0.input_layernorm.weight"]["data_offsets"];
  });
  expect_refused({"model.safetensors", "overlap"});
}

TEST_F(BadModelTest, MissingTensor) {
  edit_header(weights(), [](Json& h) { h.erase("model.layers.1.mlp.up_proj.weight"); });
  expect_refused({"model.layers.1.mlp.up_proj.weight", "missing"});
}

TEST_F(BadModelTest, WrongShape) {
  edit_header(weights(), [](Json& h) {
    auto& t = h["model.layers.0.mlp.down_proj.weight"]["shape"];
    t = {t[1], t[0]};  // transposed: the same bytes, the wrong shape
  });
  expect_refused({"model.safetensors", "model.layers.0.mlp.down_proj.weight", "shape"});
}

TEST_F(BadModelTest, UnknownDtype) {
  edit_header(weights(), [](Json& h) { h["model.norm.weight"]["dtype"] = "F8_E9M9"; });
  expect_refused({"model.safetensors", "unknown dtype"});
}

TEST_F(BadModelTest, NaNInWeights) {
  std::string bytes = read_text_file(weights());
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  const Json header = Json::parse(bytes.substr(8, n));
  const uint64_t begin = header["model.layers.1.self_attn.k_proj.weight"]["data_offsets"][0];
  const float nan = std::nanf("");
  std::memcpy(bytes.data() + 8 + n + begin + 4 * 5, &nan, 4);
  write_file_atomic(weights(), bytes);
  expect_refused({"model.layers.1.self_attn.k_proj.weight", "NaN"});
}

TEST_F(BadModelTest, UnsupportedArchitecture) {
  Json config = read_json_file(dir / "config.json");
  config["architectures"] = {"GPT2LMHeadModel"};
  write_file_atomic(dir / "config.json", config.dump());
  expect_refused({"config.json", "GPT2LMHeadModel", "not supported"});
}

TEST_F(BadModelTest, UnsupportedRopeScaling) {
  Json config = read_json_file(dir / "config.json");
  config["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  write_file_atomic(dir / "config.json", config.dump());
  expect_refused({"config.json", "yarn"});
}

TEST_F(BadModelTest, AbsurdConfigSizes) {
  Json config = read_json_file(dir / "config.json");
  config["vocab_size"] = 1000000000;
  write_file_atomic(dir / "config.json", config.dump());
  expect_refused({"config.json", "vocab_size"});
}

TEST_F(BadModelTest, MissingConfig) {
  std::filesystem::remove(dir / "config.json");
  expect_refused({"config.json", "not found"});
}

TEST_F(BadModelTest, MalformedTokenizerInGenerate) {
  write_file_atomic(dir / "tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": ");
  const auto r = test::run_command(test::cli() + " generate --model " + dir.path().string() +
                                   " --prompt hi --max-new-tokens 2");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("tokenizer.json"), std::string::npos) << r.output;
}

TEST_F(BadModelTest, ShardIndexNamingMissingShard) {
  write_file_atomic(dir / "model.safetensors.index.json",
                    R"({"weight_map": {"model.norm.weight": "model-00009-of-00009.safetensors"}})");
  expect_refused({"model-00009-of-00009.safetensors"});
}

}  // namespace
}  // namespace foresight
