// Added-token matching options (lstrip, rstrip, single_word, normalized, longest match), on the
// byte tokenizer with extra added tokens: with no merges every other byte is its own token,
// so the expected ids are easy to write down.
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/byte_tokenizer.hpp"
#include "model/tokenizer.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

constexpr int32_t kFirst = 300;  // ids of the extra tokens, above the byte tokenizer's 261

// A byte tokenizer plus these added tokens (ids kFirst, kFirst + 1, ...).
Tokenizer with_added(const std::vector<Json>& tokens) {
  Json json = Json::parse(make_byte_level_tokenizer().json);
  int32_t id = kFirst;
  for (Json token : tokens) {
    token["id"] = id++;
    json["added_tokens"].push_back(token);
  }
  test::TempDir dir;
  write_file_atomic(dir / "tokenizer.json", json.dump());
  return Tokenizer::load(dir / "tokenizer.json");
}

Json token(const char* content) {
  return {{"content", content}, {"special", false}, {"normalized", false},
          {"lstrip", false},    {"rstrip", false},  {"single_word", false}};
}

// Without merges, the ids of plain text are its byte values.
std::vector<int32_t> bytes(std::string_view text) {
  std::vector<int32_t> ids;
  for (char c : text) ids.push_back(static_cast<unsigned char>(c));
  return ids;
}

std::vector<int32_t> cat(std::initializer_list<std::vector<int32_t>> parts) {
  std::vector<int32_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST(AddedTokens, LongestMatchAtTheLeftmostPosition) {
  Tokenizer t = with_added({token("<a>"), token("<a><b>"), token("b>")});
  EXPECT_EQ(t.encode("x<a><b>y"), cat({bytes("x"), {kFirst + 1}, bytes("y")}));
  EXPECT_EQ(t.encode("<a><c>"), cat({{kFirst}, bytes("<c>")}));
  EXPECT_EQ(t.encode("<ab>"), cat({bytes("<a"), {kFirst + 2}}));
}

TEST(AddedTokens, LstripAndRstripAbsorbWhitespace) {
  Json left = token("<L>"), right = token("<R>");
  left["lstrip"] = true;
  right["rstrip"] = true;
  Tokenizer t = with_added({left, right});
  EXPECT_EQ(t.encode("a \t <L> b"), cat({bytes("a"), {kFirst}, bytes(" b")}));
  EXPECT_EQ(t.encode("a  <R> \n b"), cat({bytes("a  "), {kFirst + 1}, bytes("b")}));
  // Whitespace already taken by the previous token stays with it.
  EXPECT_EQ(t.encode("<R>  <L>x"), cat({{kFirst + 1}, {kFirst}, bytes("x")}));
  EXPECT_EQ(t.decode(t.encode("a \t <L> b")), "a<L> b");  // the absorbed spaces are gone
}

TEST(AddedTokens, SingleWordNeedsNonWordNeighbours) {
  Json ony = token("ony");
  ony["single_word"] = true;
  Tokenizer t = with_added({ony});
  EXPECT_EQ(t.encode("Anthony"), bytes("Anthony"));
  EXPECT_EQ(t.encode("onyx"), bytes("onyx"));
  EXPECT_EQ(t.encode("ony"), std::vector<int32_t>{kFirst});
  EXPECT_EQ(t.encode("an ony!"), cat({bytes("an "), {kFirst}, bytes("!")}));
  EXPECT_EQ(t.encode("éony"), bytes("éony"));  // é is a word character
}

TEST(AddedTokens, NormalizedTokensMatchTheNfcText) {
  Json composed = token("caf\u00e9");  // NFC
  composed["normalized"] = true;
  Json raw = token("ne\u0301e");  // NFD, matched only in the raw text
  Tokenizer t = with_added({composed, raw});
  EXPECT_EQ(t.encode("cafe\u0301"), std::vector<int32_t>{kFirst});
  EXPECT_EQ(t.encode("caf\u00e9"), std::vector<int32_t>{kFirst});
  EXPECT_EQ(t.encode("ne\u0301e"), std::vector<int32_t>{kFirst + 1});
  EXPECT_EQ(t.encode("n\u00e9e"), bytes("n\u00e9e"));
}

TEST(AddedTokens, SpecialOnesAreSkippedOnRequest) {
  Json special = token("<S>");
  special["special"] = true;
  Tokenizer t = with_added({special, token("<N>")});
  std::vector<int32_t> ids = t.encode("a<S>b<N>c");
  EXPECT_EQ(ids, cat({bytes("a"), {kFirst}, bytes("b"), {kFirst + 1}, bytes("c")}));
  EXPECT_EQ(t.decode(ids, /*skip_special=*/true), "ab<N>c");
  EXPECT_TRUE(t.is_special(kFirst));
  EXPECT_FALSE(t.is_special(kFirst + 1));
  // Ids between the byte tokenizer's last and kFirst name no token.
  EXPECT_EQ(t.vocab_size(), kFirst + 2);
  const int32_t hole[] = {kFirst - 1};
  EXPECT_THROW(t.decode(hole), Error);
}

}  // namespace
}  // namespace foresight
