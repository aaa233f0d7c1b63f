// Malformed or unsupported tokenizer.json files: each gives an Error naming the file and the
// problem, never a crash or a silently different tokenizer.
#include <cctype>
#include <functional>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/byte_level.hpp"
#include "model/byte_tokenizer.hpp"
#include "model/tokenizer.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

struct Case {
  const char* name;
  std::function<void(Json&)> edit;
  const char* expected;  // a fragment the message must contain
};

// Keeps the test names ctest sees readable and stable (the default prints raw bytes).
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

Json& pre_split(Json& json) { return json["pre_tokenizer"]["pretokenizers"][0]; }

const Case kCases[] = {
    {"no model", [](Json& j) { j.erase("model"); }, "missing field \"model\""},
    {"model not BPE", [](Json& j) { j["model"]["type"] = "WordPiece"; }, "WordPiece"},
    {"model type missing", [](Json& j) { j["model"].erase("type"); },
     "model: missing field \"type\""},
    {"vocab an array",
     [](Json& j) {
       j["model"]["vocab"] = Json::array({1, 2});
     },
     "model.vocab: expected an object"},
    {"vocab id a string", [](Json& j) { j["model"]["vocab"]["a"] = "97"; }, "model.vocab[\"a\"]"},
    {"vocab id negative", [](Json& j) { j["model"]["vocab"]["a"] = -3; }, "non-negative"},
    {"vocab id twice", [](Json& j) { j["model"]["vocab"]["zz"] = 97; }, "id 97 is given to both"},
    {"byte token missing", [](Json& j) { j["model"]["vocab"].erase("Ġ"); },
     "missing the byte token \"Ġ\""},
    {"huge id", [](Json& j) { j["model"]["vocab"]["zz"] = 1 << 30; }, "implausibly large"},
    {"merges not an array", [](Json& j) { j["model"]["merges"] = "a b"; },
     "model.merges: expected an array"},
    {"merge of unknown token", [](Json& j) { j["model"]["merges"] = Json::array({"a xyz"}); },
     "model.merges[0]: token \"xyz\" is not in the vocab"},
    {"merge result unknown",
     [](Json& j) {
       j["model"]["merges"] = Json::array({Json::array({"a", "b"})});
     },
     "merged token \"ab\" is not in the vocab"},
    {"merge of three", [](Json& j) { j["model"]["merges"] = Json::array({"a b c"}); },
     "not two tokens"},
    {"merge a number", [](Json& j) { j["model"]["merges"] = Json::array({7}); }, "model.merges[0]"},
    {"dropout", [](Json& j) { j["model"]["dropout"] = 0.1; }, "dropout"},
    {"subword prefix", [](Json& j) { j["model"]["continuing_subword_prefix"] = "##"; },
     "continuing_subword_prefix"},
    {"normalizer Lowercase",
     [](Json& j) {
       j["normalizer"] = {{"type", "Lowercase"}};
     },
     "\"Lowercase\""},
    {"normalizer in a sequence",
     [](Json& j) {
       j["normalizer"] = {{"type", "Sequence"}, {"normalizers", Json::array({{{"type", "NFKC"}}})}};
     },
     "normalizer.normalizers[0]: normalizer type \"NFKC\""},
    {"bad regex", [](Json& j) { pre_split(j)["pattern"]["Regex"] = "(unclosed"; },
     "pre_tokenizer.pretokenizers[0].pattern.Regex: invalid regex"},
    {"regex not a string", [](Json& j) { pre_split(j)["pattern"]["Regex"] = 5; },
     "pattern: expected"},
    {"split behavior", [](Json& j) { pre_split(j)["behavior"] = "Removed"; },
     "\"Removed\" is not supported"},
    {"split invert", [](Json& j) { pre_split(j)["invert"] = true; }, "invert"},
    {"unknown pre-tokenizer",
     [](Json& j) {
       pre_split(j) = {{"type", "Whitespace"}};
     },
     "\"Whitespace\""},
    {"no ByteLevel", [](Json& j) { j["pre_tokenizer"]["pretokenizers"].erase(1); }, "no ByteLevel"},
    {"split after ByteLevel",
     [](Json& j) { j["pre_tokenizer"]["pretokenizers"].push_back(pre_split(j)); },
     "after ByteLevel"},
    {"decoder missing", [](Json& j) { j.erase("decoder"); }, "missing field \"decoder\""},
    {"decoder WordPiece",
     [](Json& j) {
       j["decoder"] = {{"type", "WordPiece"}};
     },
     "\"WordPiece\""},
    {"added token content", [](Json& j) { j["added_tokens"][0]["content"] = 12; },
     "added_tokens[0].content"},
    {"added token id", [](Json& j) { j["added_tokens"][2].erase("id"); },
     "added_tokens[2]: missing field \"id\""},
    {"added token flag", [](Json& j) { j["added_tokens"][1]["lstrip"] = "yes"; },
     "added_tokens[1].lstrip"},
    {"added tokens an object", [](Json& j) { j["added_tokens"] = Json::object(); },
     "added_tokens: expected an array"},
    {"top level an array", [](Json& j) { j = Json::array(); }, "expected a JSON object"},
};

class TokenizerErrors : public ::testing::TestWithParam<Case> {};

TEST_P(TokenizerErrors, NameTheFileAndTheProblem) {
  Json json = Json::parse(make_byte_level_tokenizer().json);
  GetParam().edit(json);
  test::TempDir dir;
  const auto path = dir / "tokenizer.json";
  write_file_atomic(path, json.dump());
  try {
    Tokenizer::load(path);
    FAIL() << "loaded without complaint";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Malformed, TokenizerErrors, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           for (char& c : name)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(TokenizerFile, MissingOrTruncated) {
  test::TempDir dir;
  EXPECT_THROW(Tokenizer::load(dir / "absent.json"), Error);
  const std::string json = make_byte_level_tokenizer().json;
  for (std::size_t keep : {std::size_t{0}, std::size_t{1}, json.size() / 2, json.size() - 3}) {
    const auto path = dir / "tokenizer.json";
    write_file_atomic(path, json.substr(0, keep));
    try {
      Tokenizer::load(path);
      FAIL() << "loaded a file cut to " << keep << " bytes";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace foresight
