// to_hf_config is the inverse of ModelConfig::load for every kind of config the project writes.
#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "model/config.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

void expect_same(const ModelConfig& a, const ModelConfig& b) {
  EXPECT_EQ(a.arch, b.arch);
  EXPECT_EQ(a.arch_name, b.arch_name);
  EXPECT_EQ(a.hidden, b.hidden);
  EXPECT_EQ(a.intermediate, b.intermediate);
  EXPECT_EQ(a.n_layers, b.n_layers);
  EXPECT_EQ(a.n_heads, b.n_heads);
  EXPECT_EQ(a.n_kv_heads, b.n_kv_heads);
  EXPECT_EQ(a.head_dim, b.head_dim);
  EXPECT_EQ(a.vocab, b.vocab);
  EXPECT_EQ(a.max_position, b.max_position);
  EXPECT_EQ(a.rope_theta, b.rope_theta);
  EXPECT_EQ(a.rms_eps, b.rms_eps);
  EXPECT_EQ(a.rope_scaling.factor, b.rope_scaling.factor);
  EXPECT_EQ(a.rope_scaling.original_max_position, b.rope_scaling.original_max_position);
  EXPECT_EQ(a.tie_embeddings, b.tie_embeddings);
  EXPECT_EQ(a.qkv_bias, b.qkv_bias);
  EXPECT_EQ(a.o_bias, b.o_bias);
  EXPECT_EQ(a.qk_norm, b.qk_norm);
  EXPECT_EQ(a.eos_ids, b.eos_ids);
  EXPECT_EQ(a.bos_id, b.bos_id);
}

TEST(HfConfig, WritesWhatLoadReads) {
  ModelConfig c;
  c.hidden = 48, c.intermediate = 96, c.n_layers = 3, c.n_heads = 6, c.n_kv_heads = 2,
  c.head_dim = 8;
  c.vocab = 300, c.max_position = 1000, c.rope_theta = 5e5, c.rms_eps = 1e-5, c.bos_id = 7;
  for (Architecture arch : {Architecture::Qwen3, Architecture::Qwen2, Architecture::Llama}) {
    for (bool bias : {false, true}) {
      ModelConfig want = c;
      want.arch = arch;
      want.arch_name = architecture_name(arch);
      want.qk_norm = arch == Architecture::Qwen3;
      want.qkv_bias = arch == Architecture::Qwen2 || bias;
      want.o_bias = arch != Architecture::Qwen2 && bias;
      want.tie_embeddings = bias;
      want.eos_ids = bias ? std::vector<int32_t>{3} : std::vector<int32_t>{3, 4};
      if (arch == Architecture::Llama && bias) want.rope_scaling = {8.0, 1.0, 4.0, 64, {}};
      test::TempDir dir;
      write_file_atomic(dir / "config.json", to_hf_config(want, DType::BF16).dump());
      expect_same(ModelConfig::load(dir.path()), want);
    }
  }
}

}  // namespace
}  // namespace foresight
