// The forward pass against the independent PyTorch reference (tests/reference/hf_forward.py),
// for every architecture and weight dtype, and prefill/decoding consistency.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "engine/transformer.hpp"
#include "model/random_model.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

std::vector<int32_t> test_ids(int n, int vocab) {
  std::vector<int32_t> ids;
  for (int i = 0; i < n; ++i) ids.push_back((i * 37 + 11) % vocab);
  return ids;
}

std::vector<float> reference_logits(const std::filesystem::path& dir,
                                    const std::vector<int32_t>& ids, int vocab) {
  std::string id_list;
  for (int32_t id : ids) id_list += (id_list.empty() ? "" : ",") + std::to_string(id);
  const auto out = dir / "reference_logits.bin";
  const auto r = test::run_command(
      "/usr/bin/python3 " + (test::source_dir() / "tests/reference/hf_forward.py").string() +
      " --model " + dir.string() + " --ids " + id_list + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<float> logits(ids.size() * vocab);
  std::ifstream in(out, std::ios::binary);
  in.read(reinterpret_cast<char*>(logits.data()), std::streamsize(logits.size() * sizeof(float)));
  EXPECT_TRUE(in.good()) << "reference logits missing or short: " << out;
  return logits;
}

// Largest |a - b| of a row relative to the row's largest |b|, over all rows.
double max_relative_error(const std::vector<float>& a, const std::vector<float>& b, int vocab) {
  double worst = 0;
  for (size_t row = 0; row < a.size() / vocab; ++row) {
    double diff = 0, scale = 0;
    for (int j = 0; j < vocab; ++j) {
      diff = std::max(diff, double(std::fabs(a[row * vocab + j] - b[row * vocab + j])));
      scale = std::max(scale, double(std::fabs(b[row * vocab + j])));
    }
    worst = std::max(worst, diff / scale);
  }
  return worst;
}

struct Variant {
  std::string name;
  RandomModelSpec spec;
};
void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

std::vector<Variant> variants() {
  std::vector<Variant> v;
  for (auto arch : {Architecture::Qwen3, Architecture::Qwen2, Architecture::Llama}) {
    for (auto dtype : {DType::F32, DType::BF16}) {
      RandomModelSpec s;
      s.arch = arch;
      s.dtype = dtype;
      v.push_back({architecture_name(arch) + "_" + std::string(dtype_name(dtype)), s});
    }
  }
  RandomModelSpec llama;  // the optional parts: llama3 RoPE scaling, biases, tying, shards, F16
  llama.arch = Architecture::Llama;
  llama.llama3_rope_scaling = true;
  llama.attention_bias = true;
  llama.dtype = DType::F16;
  v.push_back({"Llama_llama3_scaling_bias_F16", llama});
  RandomModelSpec qwen3;
  qwen3.tie_embeddings = true;
  qwen3.shards = 3;
  qwen3.dtype = DType::BF16;
  qwen3.kv_heads = 1;
  v.push_back({"Qwen3_tied_sharded_MQA", qwen3});
  return v;
}

class ForwardTest : public ::testing::TestWithParam<Variant> {};

TEST_P(ForwardTest, MatchesPyTorchReference) {
  test::TempDir dir;
  write_random_model(dir.path(), GetParam().spec);
  auto model = Model::load(dir.path());
  const int vocab = model->config().vocab;
  // 100 tokens: past the llama3 scaling's original context of 64 positions.
  const auto ids = test_ids(100, vocab);
  Sequence seq(model->config());
  const auto logits = forward_chunk(*model, seq, ids, LogitsWanted::All);
  const auto expected = reference_logits(dir.path(), ids, vocab);
  EXPECT_LT(max_relative_error(logits, expected, vocab), 1e-4);
}

TEST_P(ForwardTest, DecodingTokenByTokenEqualsOneChunk) {
  test::TempDir dir;
  write_random_model(dir.path(), GetParam().spec);
  auto model = Model::load(dir.path());
  const int vocab = model->config().vocab;
  const auto ids = test_ids(30, vocab);
  Sequence whole(model->config()), stepwise(model->config()), chunked(model->config());
  const auto expected = forward_chunk(*model, whole, ids, LogitsWanted::All);
  std::vector<float> one_by_one, in_chunks;
  for (int32_t id : ids) {
    auto l = forward_chunk(*model, stepwise, std::span(&id, 1), LogitsWanted::Last);
    one_by_one.insert(one_by_one.end(), l.begin(), l.end());
  }
  for (size_t begin = 0; begin < ids.size(); begin += 7) {
    const size_t n = std::min<size_t>(7, ids.size() - begin);
    auto l = forward_chunk(*model, chunked, std::span(ids).subspan(begin, n), LogitsWanted::All);
    in_chunks.insert(in_chunks.end(), l.begin(), l.end());
  }
  EXPECT_LT(max_relative_error(one_by_one, expected, vocab), 1e-5);
  EXPECT_LT(max_relative_error(in_chunks, expected, vocab), 1e-5);
  EXPECT_EQ(stepwise.cache().entries(), whole.cache().entries());
}

INSTANTIATE_TEST_SUITE_P(AllArchitectures, ForwardTest, ::testing::ValuesIn(variants()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace foresight
