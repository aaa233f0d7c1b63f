// GGUF both ways: a tiny random model of each architecture exported and loaded back computes
// the logits of its Hugging Face directory (bit for bit at F32, within rounding at F16/BF16),
// its tokenizer encodes and decodes as tokenizer.json does, malformed files are refused with
// messages naming the problem, and llama.cpp's own gguf-py reads every exported file.
#include <algorithm>
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/gguf_file.hpp"
#include "core/json_file.hpp"
#include "engine/transformer.hpp"
#include "model/byte_tokenizer.hpp"
#include "model/gguf_export.hpp"
#include "model/pre_tokenizer.hpp"
#include "model/random_model.hpp"
#include "model/tokenizer.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

using test::pattern_logits;
using test::relative_error;

struct Variant {
  std::string name;
  RandomModelSpec spec;
};
void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

std::vector<Variant> variants() {
  std::vector<Variant> v;
  for (auto arch : {Architecture::Qwen3, Architecture::Qwen2, Architecture::Llama}) {
    RandomModelSpec s;
    s.arch = arch;
    v.push_back({architecture_name(arch), s});
  }
  RandomModelSpec llama;  // biases (permuted with q and k), llama3 scaling, padded vocab
  llama.arch = Architecture::Llama;
  llama.attention_bias = true;
  llama.llama3_rope_scaling = true;
  llama.vocab = 300;
  v.push_back({"Llama_bias_llama3_padded", llama});
  RandomModelSpec qwen3;
  qwen3.tie_embeddings = true;
  qwen3.kv_heads = 1;
  v.push_back({"Qwen3_tied_MQA", qwen3});
  return v;
}

class GgufRoundTrip : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override { write_random_model(dir / "hf", GetParam().spec); }
  test::TempDir dir;
};

TEST_P(GgufRoundTrip, F32LogitsEqualTheDirectorys) {
  const auto hf = Model::load(dir / "hf");
  export_gguf(dir / "hf", dir / "model.gguf", DType::F32);
  const auto gguf = Model::load(dir / "model.gguf");
  EXPECT_EQ(gguf->config().vocab, hf->config().vocab);
  EXPECT_EQ(gguf->config().eos_ids, hf->config().eos_ids);
  EXPECT_EQ(gguf->config().bos_id, hf->config().bos_id);
  EXPECT_EQ(gguf->config().rms_eps, hf->config().rms_eps);
  EXPECT_EQ(gguf->config().tie_embeddings, hf->config().tie_embeddings);
  if (GetParam().spec.llama3_rope_scaling)  // divisors stored as F32: the angles round apart
    EXPECT_LT(relative_error(pattern_logits(*gguf), pattern_logits(*hf)), 1e-5);
  else EXPECT_EQ(pattern_logits(*gguf), pattern_logits(*hf));
}

// A Q8_0 export holds the bytes Model::load quantises the directory to: the same logits.
TEST_P(GgufRoundTrip, Q8_0LogitsEqualTheQuantisedDirectorys) {
  const auto hf = Model::load(dir / "hf", {.weights = DType::Q8_0});
  export_gguf(dir / "hf", dir / "q8.gguf", DType::Q8_0);
  const auto gguf = Model::load(dir / "q8.gguf");
  EXPECT_EQ(GgufFile(dir / "q8.gguf").integer("general.file_type", 0, 100), 7);
  ASSERT_EQ(gguf->weight_dtype(), DType::Q8_0);
  for (int i = 0; i < hf->config().n_layers; ++i) {
    const LayerWeights &a = hf->layers()[i], &b = gguf->layers()[i];
    for (auto w : {&LayerWeights::wq, &LayerWeights::wk, &LayerWeights::wv, &LayerWeights::wo,
                   &LayerWeights::w_gate, &LayerWeights::w_up, &LayerWeights::w_down}) {
      ASSERT_EQ((b.*w).dtype, DType::Q8_0);
      EXPECT_EQ(std::memcmp((a.*w).data, (b.*w).data, size_t((a.*w).bytes())), 0) << i;
    }
  }
  if (GetParam().spec.llama3_rope_scaling)  // divisors stored as F32: the angles round apart
    EXPECT_LT(relative_error(pattern_logits(*gguf), pattern_logits(*hf)), 1e-5);
  else EXPECT_EQ(pattern_logits(*gguf), pattern_logits(*hf));
}

TEST_P(GgufRoundTrip, HalfPrecisionLogitsWithinRounding) {
  const auto hf = Model::load(dir / "hf");
  const auto expected = pattern_logits(*hf);
  for (auto [dtype, tolerance] : {std::pair{DType::F16, 5e-3}, std::pair{DType::BF16, 5e-2}}) {
    export_gguf(dir / "hf", dir / "half.gguf", dtype);
    const auto gguf = Model::load(dir / "half.gguf");
    EXPECT_EQ(gguf->weight_dtype(), dtype);
    EXPECT_LT(relative_error(pattern_logits(*gguf), expected), tolerance) << dtype_name(dtype);
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, GgufRoundTrip, ::testing::ValuesIn(variants()),
                         [](const auto& info) { return info.param.name; });

TEST(GgufExport, KeepsTheStoredDtypeByDefault) {
  test::TempDir dir;
  RandomModelSpec s;
  s.dtype = DType::BF16;
  write_random_model(dir / "hf", s);
  export_gguf(dir / "hf", dir / "model.gguf");
  const auto gguf = Model::load(dir / "model.gguf");
  EXPECT_EQ(gguf->weight_dtype(), DType::BF16);
  EXPECT_EQ(pattern_logits(*gguf), pattern_logits(*Model::load(dir / "hf")));
}

TEST(GgufExport, CliWritesAFileTheOtherCommandsLoad) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{});
  const std::string out = (dir / "model.gguf").string();
  auto r = test::run_command(test::cli() + " export-gguf --model " + (dir / "hf").string() +
                             " --out " + out + " --dtype f16");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = test::run_command(test::cli() + " info --model " + out);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("F16"), std::string::npos) << r.output;
  r = test::run_command(test::cli() + " export-gguf --model " + (dir / "hf").string() + " --out " +
                        out + " --dtype q8_0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = test::run_command(test::cli() + " info --model " + out);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Q8_0"), std::string::npos) << r.output;
  r = test::run_command(test::cli() + " generate --model " + out +
                        " --prompt hello --max-new-tokens 4");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = test::run_command(test::cli() + " export-gguf --model " + (dir / "hf").string() + " --out " +
                        out + " --dtype q4");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--dtype"), std::string::npos) << r.output;
}

TEST(GgufExport, RefusesWhatLlamaCppCannotRun) {
  test::TempDir dir;
  RandomModelSpec s;
  s.attention_bias = true;  // Qwen3 with an output bias
  write_random_model(dir / "hf", s);
  try {
    export_gguf(dir / "hf", dir / "model.gguf");
    ADD_FAILURE() << "exported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("output bias"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "model.gguf"));
}

// Texts that exercise the regex, NFC, added tokens and invalid UTF-8.
const std::vector<std::string> kTexts = {
    "Hello world, it's 2024! 12345 tokens\n\n  indented\tand\ttabs",
    "<|im_start|>user\nwhat is 3+4?<|im_end|>\n<|im_start|>assistant\n<think>\nok</think>",
    "caf\xc3\xa9 cafe\xcc\x81 \xf0\x9f\x98\x80 \xe4\xbd\xa0\xe5\xa5\xbd",
    "bad \xff\xfe bytes<|endoftext|>",
};

void expect_same_tokenizer(const Tokenizer& a, const Tokenizer& b) {
  EXPECT_EQ(a.vocab_size(), b.vocab_size());
  for (const std::string& text : kTexts) {
    const auto ids = a.encode(text);
    EXPECT_EQ(b.encode(text), ids) << text;
    EXPECT_EQ(b.decode(ids), a.decode(ids));
    EXPECT_EQ(b.decode(ids, true), a.decode(ids, true));
  }
  for (int32_t id = 0; id < a.vocab_size(); ++id) {
    ASSERT_EQ(a.has_token(id), b.has_token(id)) << id;
    if (!a.has_token(id)) continue;
    EXPECT_EQ(a.token(id), b.token(id));
    EXPECT_EQ(a.is_special(id), b.is_special(id)) << id;
    EXPECT_EQ(a.is_added(id), b.is_added(id)) << id;
  }
}

// The byte-level tokenizer with some merges, so that BPE ranks matter.
std::string tokenizer_with_merges() {
  const std::vector<std::pair<std::string, std::string>> merges = {
      {"h", "e"}, {"l", "l"}, {"he", "ll"}, {" ", "w"}, {"o", "r"}, {" w", "or"}, {"1", "2"}};
  return make_byte_level_tokenizer(merges).json;
}

TEST(GgufTokenizer, BundledByteLevelTokenizerRoundTrips) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{});
  export_gguf(dir / "hf", dir / "model.gguf");
  expect_same_tokenizer(Tokenizer::for_model(dir / "hf"), Tokenizer::for_model(dir / "model.gguf"));
  const GgufFile file(dir / "model.gguf");
  EXPECT_EQ(file.string("tokenizer.ggml.pre"), "qwen2");
  EXPECT_EQ(file.string("tokenizer.ggml.model"), "gpt2");
}

TEST(GgufTokenizer, QwenMergesRoundTrip) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{.vocab = 300});
  write_file_atomic(dir / "hf/tokenizer.json", tokenizer_with_merges());
  export_gguf(dir / "hf", dir / "model.gguf");
  expect_same_tokenizer(Tokenizer::for_model(dir / "hf"), Tokenizer::for_model(dir / "model.gguf"));
  EXPECT_EQ(GgufFile(dir / "model.gguf").strings("tokenizer.ggml.merges")[2], "he ll");
}

TEST(GgufTokenizer, Llama3PreTokenizerRoundTrips) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{.arch = Architecture::Llama, .vocab = 300});
  Json json = Json::parse(tokenizer_with_merges());
  json["normalizer"] = nullptr;
  json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = kLlama3SplitPattern;
  json["model"]["ignore_merges"] = true;
  write_file_atomic(dir / "hf/tokenizer.json", json.dump());
  export_gguf(dir / "hf", dir / "model.gguf");
  EXPECT_EQ(GgufFile(dir / "model.gguf").string("tokenizer.ggml.pre"), "llama-bpe");
  expect_same_tokenizer(Tokenizer::for_model(dir / "hf"), Tokenizer::for_model(dir / "model.gguf"));
}

TEST(GgufTokenizer, UnknownPreTokenizerIsRefused) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{});
  Json json = Json::parse(make_byte_level_tokenizer().json);
  json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\s+";
  write_file_atomic(dir / "hf/tokenizer.json", json.dump());
  try {
    export_gguf(dir / "hf", dir / "model.gguf");
    ADD_FAILURE() << "exported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer.ggml.pre"), std::string::npos) << e.what();
  }
}

// Malformed files: an exported tiny model with bytes changed in place.
class BadGguf : public ::testing::Test {
 protected:
  void SetUp() override {
    write_random_model(dir / "hf", RandomModelSpec{});
    export_gguf(dir / "hf", path());
    bytes = read_text_file(path());
  }
  std::filesystem::path path() const { return dir / "model.gguf"; }

  // Where `text` (a key or tensor name) ends in the file; after its name come its fields.
  size_t after(const std::string& text) const {
    const size_t at = bytes.find(text);
    EXPECT_NE(at, std::string::npos) << text;
    return at + text.size();
  }
  // A tensor's fields: dims count, dims, type, offset.
  size_t type_field(const std::string& tensor, int n_dims) const {
    return after(tensor) + 4 + 8 * n_dims;
  }
  template <typename T>
  void put(size_t at, T v) {
    std::memcpy(bytes.data() + at, &v, sizeof(T));
  }

  // Loading fails with a message naming the file and holding every one of `parts`, in the
  // library and the CLI.
  void expect_refused(std::initializer_list<std::string> parts) {
    write_file_atomic(path(), bytes);
    try {
      Model::load(path());
      ADD_FAILURE() << "loading succeeded";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path().string()), std::string::npos) << message;
      for (const auto& part : parts)
        EXPECT_NE(message.find(part), std::string::npos) << "'" << message << "' lacks " << part;
    }
    const auto r = test::run_command(test::cli() + " info --model " + path().string());
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("error"), std::string::npos) << r.output;
  }

  test::TempDir dir;
  std::string bytes;
};

TEST_F(BadGguf, GoodFileLoads) { EXPECT_NO_THROW(Model::load(path())); }

TEST(GgufExport, Q8_0RowsNotInBlocksAreRefused) {
  test::TempDir dir;
  write_random_model(dir / "hf", RandomModelSpec{.hidden = 48});
  try {
    export_gguf(dir / "hf", dir / "model.gguf", DType::Q8_0);
    ADD_FAILURE() << "exported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'token_embd.weight' of Q8_0 needs rows of a "
                                         "multiple of 32 values"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "model.gguf"));
}

// Malformed Q8_0 tensors, in a Q8_0 export.
class BadQ8Gguf : public BadGguf {
 protected:
  void SetUp() override {
    BadGguf::SetUp();
    export_gguf(dir / "hf", path(), DType::Q8_0);
    bytes = read_text_file(path());
  }
  // Where a tensor's data begins in the file (its first 64 bytes are random, so unique).
  size_t data_of(const std::string& tensor) const {
    const GgufFile file(path());
    const size_t at =
        bytes.find(std::string(static_cast<const char*>(file.tensor(tensor).data), 64));
    EXPECT_NE(at, std::string::npos) << tensor;
    return at;
  }
};

TEST_F(BadQ8Gguf, GoodFileLoads) { EXPECT_EQ(Model::load(path())->weight_dtype(), DType::Q8_0); }

TEST_F(BadQ8Gguf, RowNotInBlocks) {
  put<uint64_t>(after("blk.0.ffn_down.weight") + 4, 100);  // the row length, innermost first
  expect_refused({"blk.0.ffn_down.weight",
                  "first dimension 100 is not a multiple of the type's "
                  "block of 32"});
}

TEST_F(BadQ8Gguf, DataNotWholeBlocks) {
  // past the padding (under 32 bytes) into the last block of the last tensor, output.weight
  bytes.resize(bytes.size() - 32 - 17);
  expect_refused({"output.weight", "outside"});
}

TEST_F(BadQ8Gguf, InfiniteScale) {
  put<uint16_t>(data_of("blk.1.attn_v.weight") + 34, 0x7c00);  // the second block's d
  expect_refused({"blk.1.attn_v.weight", "NaN or infinite"});
}

TEST_F(BadGguf, TruncatedHeader) {
  bytes.resize(after("token_embd.weight") + 6);  // inside the first tensor's description
  expect_refused({"truncated", "tensor 'token_embd.weight'"});
}

TEST_F(BadGguf, TooShortForAHeader) {
  bytes.resize(100);
  expect_refused({"more than the file holds"});
}

TEST_F(BadGguf, TruncatedData) {
  bytes.resize(bytes.size() - 1000);
  expect_refused({"output.weight", "outside"});
}

TEST_F(BadGguf, BadMagic) {
  bytes[3] = 'X';
  expect_refused({"not a GGUF file"});
}

TEST_F(BadGguf, BadVersion) {
  put<uint32_t>(4, 7);
  expect_refused({"version 7"});
}

TEST_F(BadGguf, AbsurdTensorCount) {
  put<uint64_t>(8, uint64_t{1} << 40);
  expect_refused({"tensors, more than the file holds"});
}

TEST_F(BadGguf, AbsurdKeyCount) {
  put<uint64_t>(16, uint64_t{1} << 40);
  expect_refused({"metadata keys, more than the file holds"});
}

TEST_F(BadGguf, AbsurdArrayLength) {
  // tokenizer.ggml.tokens: value type, element type, then the count.
  put<uint64_t>(after("tokenizer.ggml.tokens") + 8, uint64_t{1} << 50);
  expect_refused({"tokenizer.ggml.tokens", "array elements"});
}

TEST_F(BadGguf, AbsurdStringLength) {
  const size_t at = bytes.find("general.architecture") - 8;
  put<uint64_t>(at, uint64_t{1} << 60);
  expect_refused({"length"});
}

TEST_F(BadGguf, OffsetOutOfBounds) {
  put<uint64_t>(type_field("output_norm.weight", 1) + 4, uint64_t{1} << 40);
  expect_refused({"output_norm.weight", "outside"});
}

TEST_F(BadGguf, MisalignedOffset) {
  const size_t at = type_field("output_norm.weight", 1) + 4;
  uint64_t offset;
  std::memcpy(&offset, bytes.data() + at, 8);
  put<uint64_t>(at, offset + 4);
  expect_refused({"output_norm.weight", "not a multiple of the alignment"});
}

TEST_F(BadGguf, UnknownTensorType) {
  put<uint32_t>(type_field("output_norm.weight", 1), 99);
  expect_refused({"output_norm.weight", "unknown or unsupported tensor type 99"});
}

TEST_F(BadGguf, WrongShape) {
  put<uint32_t>(after("qwen3.feed_forward_length") + 4, 96);
  expect_refused({"blk.0.ffn_gate.weight", "has shape [128, 64], expected [96, 64]"});
}

TEST_F(BadGguf, MissingTensor) {
  bytes[after("blk.1.ffn_up.weight") - 1] = 'X';
  expect_refused({"missing tensor 'blk.1.ffn_up.weight'"});
}

TEST_F(BadGguf, MissingKey) {
  bytes[after("qwen3.block_count") - 1] = 'X';
  expect_refused({"missing key 'qwen3.block_count'"});
}

TEST_F(BadGguf, KeyOfTheWrongType) {
  put<uint32_t>(after("qwen3.block_count"), static_cast<uint32_t>(GgufType::F32));
  expect_refused({"key 'qwen3.block_count': is F32, expected an integer"});
}

TEST_F(BadGguf, UnsupportedArchitecture) {
  bytes.replace(after("general.architecture") + 12, 5, "gpt2x");
  expect_refused({"'gpt2x' is not supported"});
}

// llama.cpp's gguf-py (tests/reference/llamacpp) reads every key and tensor as written.
TEST(GgufPy, ReadsEveryExportedFile) {
  const auto tools = test::source_dir() / "tests/reference/llamacpp";
  if (!std::filesystem::exists(tools / "gguf-py/gguf"))
    GTEST_SKIP() << "llama.cpp's gguf-py is missing: run tests/reference/llamacpp/fetch.sh";
  if (test::run_command("/usr/bin/python3 -c 'import numpy, yaml'").exit_code != 0)
    GTEST_SKIP() << "/usr/bin/python3 lacks numpy or yaml (scripts/setup.sh --test)";
  test::TempDir dir;
  for (const Variant& v : variants()) {
    write_random_model(dir / v.name, v.spec);
    for (DType dtype : {DType::F32, DType::F16, DType::BF16, DType::Q8_0}) {
      const auto file = dir / (v.name + std::string(dtype_name(dtype)) + ".gguf");
      export_gguf(dir / v.name, file, dtype);
      const auto r = test::run_command("/usr/bin/python3 " + (tools / "read_gguf.py").string() +
                                       " " + file.string());
      ASSERT_EQ(r.exit_code, 0) << r.output;
      const Json seen = Json::parse(r.output);
      const GgufFile ours(file);
      EXPECT_EQ(seen["keys"].size(), ours.values().size()) << file;
      for (const auto& [key, value] : ours.values()) {
        SCOPED_TRACE(key);
        ASSERT_TRUE(seen["keys"].contains(key));
        const Json& s = seen["keys"][key];
        EXPECT_EQ(s["type"], static_cast<uint32_t>(value.type));
        if (!s["element_type"].is_null()) {  // gguf-py keeps none for an empty array
          EXPECT_EQ(s["element_type"], static_cast<uint32_t>(value.element_type));
        }
        if (value.type == GgufType::Array) {
          EXPECT_EQ(s["count"], value.count);
        } else if (value.type == GgufType::String) {
          EXPECT_EQ(s["value"], ours.string(key));
        } else if (value.type == GgufType::F32) {
          EXPECT_FLOAT_EQ(s["value"].get<double>(), ours.number(key));
        } else if (value.type == GgufType::U32) {
          EXPECT_EQ(s["value"], ours.integer(key, 0, INT64_MAX));
        }
      }
      EXPECT_EQ(seen["tensors"].size(), ours.tensors().size());
      for (const auto& [name, t] : ours.tensors()) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(seen["tensors"].contains(name));
        const Json& s = seen["tensors"][name];
        std::vector<int64_t> shape(t.shape.rbegin(), t.shape.rend());
        EXPECT_EQ(s["shape"].get<std::vector<int64_t>>(), shape);
        EXPECT_EQ(s["type"], std::string(dtype_name(t.dtype)));
        EXPECT_EQ(s["bytes"], t.bytes);
        uint64_t h = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < t.bytes; ++i)
          h = (h ^ static_cast<const uint8_t*>(t.data)[i]) * 0x100000001b3ull;
        EXPECT_EQ(s["checksum"], fmt::format("{:016x}", h));
      }
    }
  }
}

// llama.cpp itself (tests/reference/llamacpp/greedy) runs every exported model, at F32 and
// Q8_0: it tokenizes a prompt to foresight's ids and decodes the same greedy tokens.
class LlamaCpp : public ::testing::TestWithParam<DType> {};

TEST_P(LlamaCpp, RunsExportedModelsToTheSameGreedyTokens) {
  const auto tools = test::source_dir() / "tests/reference/llamacpp";
  if (!std::filesystem::exists(tools / "greedy"))
    GTEST_SKIP() << "llama.cpp's probe is missing: run tests/reference/llamacpp/fetch.sh";
  const auto backends = tools / "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64";
  const std::string prompt = "<|im_start|>user\nHello, world! 42<|im_end|>\n";
  const int n_new = 12;
  test::TempDir dir;
  for (const Variant& v : variants()) {
    SCOPED_TRACE(v.name);
    write_random_model(dir / v.name, v.spec);
    const auto file = dir / (v.name + ".gguf");
    export_gguf(dir / v.name, file, GetParam());
    const auto r =
        test::run_command(tools.string() + "/greedy " + backends.string() + " " + file.string() +
                          " " + std::to_string(n_new) + " '" + prompt + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const Json seen = Json::parse(r.output);
    const auto model = Model::load(file);
    std::vector<int32_t> ids = Tokenizer::for_model(file).encode(prompt);
    EXPECT_EQ(seen["prompt"].get<std::vector<int32_t>>(), ids);
    Sequence seq(model->config());
    std::vector<int32_t> generated;
    std::vector<float> logits = forward_chunk(*model, seq, ids, LogitsWanted::Last);
    for (int i = 0; i < n_new; ++i) {
      const auto best =
          static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
      generated.push_back(best);
      logits = forward_chunk(*model, seq, std::span(&best, 1), LogitsWanted::Last);
    }
    EXPECT_EQ(seen["generated"].get<std::vector<int32_t>>(), generated);
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, LlamaCpp, ::testing::Values(DType::F32, DType::Q8_0),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

}  // namespace
}  // namespace foresight
