// The byte-level tokenizer the project writes for its own small models: it loads with the
// same Tokenizer as the real ones, every byte string round-trips (invalid UTF-8 included, NFC
// applied to the valid parts) and chat specials stay single tokens.
#include <chrono>
#include <random>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/byte_tokenizer.hpp"
#include "model/chat.hpp"
#include "model/normalizer.hpp"
#include "model/tokenizer.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

Tokenizer load(const std::string& json) {
  test::TempDir dir;
  write_file_atomic(dir / "tokenizer.json", json);
  return Tokenizer::load(dir / "tokenizer.json");
}

Tokenizer load(const ByteTokenizer& spec) { return load(spec.json); }

TEST(ByteTokenizer, HasBytesThenSpecials) {
  ByteTokenizer spec = make_byte_level_tokenizer();
  Tokenizer t = load(spec);
  EXPECT_EQ(spec.vocab_size, 261);
  EXPECT_EQ(t.vocab_size(), 261);
  EXPECT_EQ(t.token_id("<|endoftext|>"), spec.endoftext_id);
  EXPECT_EQ(t.token_id("<|im_start|>"), spec.im_start_id);
  EXPECT_EQ(t.token_id("<|im_end|>"), spec.im_end_id);
  EXPECT_EQ(t.token_id("<think>"), spec.think_id);
  EXPECT_EQ(t.token_id("</think>"), spec.think_end_id);
  EXPECT_TRUE(t.is_special(spec.im_end_id));
  EXPECT_FALSE(t.is_special(spec.think_id));
  EXPECT_EQ(t.token(' '), "Ġ");
  EXPECT_EQ(t.encode("Hi!"), (std::vector<int32_t>{'H', 'i', '!'}));
  EXPECT_EQ(t.encode("\xff"), (std::vector<int32_t>{0xff}));
}

TEST(ByteTokenizer, RoundTripsArbitraryBytes) {
  Tokenizer t = load(make_byte_level_tokenizer());
  const std::string samples[] = {
      "",
      std::string("nul \0 inside", 12),
      "\xff\xfe invalid lead bytes",
      "truncated \xc3",
      "\xed\xa0\x80 surrogate",
      "\xc0\xaf overlong",
      "caf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80",
      "<|im_start|>user\nhi\xff<|im_end|>\n<think>\xfe</think><|endoftext|>",
  };
  for (const std::string& text : samples) {
    EXPECT_EQ(t.decode(t.encode(text)), text)
        << Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string text(rng() % 64, '\0');
    for (char& c : text) c = static_cast<char>(rng());
    // Random bytes may hold valid non-NFC sequences; those come back composed.
    EXPECT_EQ(t.decode(t.encode(text)), nfc(text));
  }
}

TEST(ByteTokenizer, SpecialsAreSingleTokens) {
  ByteTokenizer spec = make_byte_level_tokenizer();
  Tokenizer t = load(spec);
  std::vector<int32_t> expected;
  auto add_bytes = [&](std::string_view bytes) {
    expected.insert(expected.end(), bytes.begin(), bytes.end());
  };
  expected.push_back(spec.im_start_id);
  add_bytes("system\nsys");
  expected.push_back(spec.im_end_id);
  add_bytes("\n");
  expected.push_back(spec.im_start_id);
  add_bytes("user\nx");
  expected.push_back(spec.im_end_id);
  add_bytes("\n");
  expected.push_back(spec.im_start_id);
  add_bytes("assistant\n");
  expected.push_back(spec.think_id);
  add_bytes("\n");
  std::vector<int32_t> ids = t.encode(format_chat_prompt("x", true, "sys"));
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(t.decode(ids, /*skip_special=*/true), "system\nsys\nuser\nx\nassistant\n<think>\n");
}

TEST(ByteTokenizer, AppliesMergesInRankOrder) {
  const std::pair<std::string, std::string> merges[] = {
      {"a", "b"}, {"ab", "c"}, {"b", "c"}, {"c", "c"}};
  ByteTokenizer spec = make_byte_level_tokenizer(merges);
  EXPECT_EQ(spec.vocab_size, 265);
  EXPECT_EQ(spec.endoftext_id, 260);
  Tokenizer t = load(spec);
  EXPECT_EQ(t.encode("abc"), (std::vector<int32_t>{257}));        // ab, then abc
  EXPECT_EQ(t.encode("bcc"), (std::vector<int32_t>{258, 'c'}));   // bc outranks cc
  EXPECT_EQ(t.encode("cccc"), (std::vector<int32_t>{259, 259}));  // leftmost first
  EXPECT_EQ(t.encode("ccc"), (std::vector<int32_t>{259, 'c'}));
  EXPECT_EQ(t.token(257), "abc");
  EXPECT_EQ(t.decode(t.encode("abcabc ccc")), "abcabc ccc");
}

// ByteLevel as GPT-2 uses it: a space put before every segment (between added tokens too) and
// the GPT-2 split regex. The expected ids are those @huggingface/transformers 4.3.1 and
// @lenml/tokenizers 3.7.2 give for the same file.
TEST(ByteTokenizer, Gpt2StyleByteLevel) {
  const std::pair<std::string, std::string> merges[] = {
      {" ", "h"}, {"e", "l"}, {"el", "l"}, {" h", "ell"}, {"'", "s"}, {" ", "w"}, {"o", "r"}};
  ByteTokenizer spec = make_byte_level_tokenizer(merges);
  Json json = Json::parse(spec.json);
  json["normalizer"] = nullptr;
  json["pre_tokenizer"] = {{"type", "ByteLevel"},
                           {"add_prefix_space", true},
                           {"trim_offsets", true},
                           {"use_regex", true}};
  Tokenizer t = load(json.dump());
  EXPECT_EQ(t.encode("hello world"), (std::vector<int32_t>{259, 111, 261, 262, 108, 100}));
  EXPECT_EQ(t.encode(" hello"), (std::vector<int32_t>{259, 111}));
  EXPECT_EQ(t.encode("it's hell"), (std::vector<int32_t>{32, 105, 116, 260, 259}));
  EXPECT_EQ(t.encode("a<|im_end|>hello"), (std::vector<int32_t>{32, 97, spec.im_end_id, 259, 111}));
  EXPECT_EQ(t.encode("x  \n\n  hello   world's 123 !!"),
            (std::vector<int32_t>{32,  120, 32,  32,  10, 10, 32, 259, 111, 32, 32, 261,
                                  262, 108, 100, 260, 32, 49, 50, 51,  32,  33, 33}));
}

// "ignore_merges" (Llama 3): a piece that is a token is taken whole, whatever the merges say.
TEST(ByteTokenizer, IgnoreMergesTakesWholeTokens) {
  const std::pair<std::string, std::string> merges[] = {{"b", "c"}, {"a", "b"}, {"ab", "c"}};
  Json json = Json::parse(make_byte_level_tokenizer(merges).json);
  EXPECT_EQ(load(json.dump()).encode("abc"), (std::vector<int32_t>{'a', 256}));  // bc first
  json["model"]["ignore_merges"] = true;
  EXPECT_EQ(load(json.dump()).encode("abc"), (std::vector<int32_t>{258}));
  EXPECT_EQ(load(json.dump()).encode("abcabc"), (std::vector<int32_t>{'a', 256, 'a', 256}));
}

TEST(ByteTokenizer, RefusesBadMerges) {
  const std::pair<std::string, std::string> unknown[] = {{"ab", "c"}};
  EXPECT_THROW(make_byte_level_tokenizer(unknown), Error);
  const std::pair<std::string, std::string> repeated[] = {{"a", "b"}, {"a", "b"}};
  EXPECT_THROW(make_byte_level_tokenizer(repeated), Error);
}

// BPE is O(n log n): merging a 20k-byte run down to a handful of tokens stays fast.
TEST(ByteTokenizer, LongRunWithManyMergesIsFast) {
  std::vector<std::pair<std::string, std::string>> merges;
  for (std::string run = "a"; run.size() < 4096; run += run) merges.emplace_back(run, run);
  Tokenizer t = load(make_byte_level_tokenizer(merges));
  const std::string text(20000, 'a');
  auto start = std::chrono::steady_clock::now();
  std::vector<int32_t> ids = t.encode(text);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 0.5);
  EXPECT_EQ(ids.size(), 8u);  // 20000 = 4 * 4096 + 2048 + 1024 + 512 + 32
  EXPECT_EQ(t.decode(ids), text);
}

}  // namespace
}  // namespace foresight
