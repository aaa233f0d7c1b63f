#include "model/gguf_export.hpp"

#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "core/error.hpp"
#include "core/gguf_file.hpp"
#include "model/gguf_config.hpp"
#include "model/gguf_names.hpp"
#include "model/gguf_tokenizer.hpp"
#include "model/model.hpp"

namespace foresight {

namespace {

// What llama.cpp's graph for the architecture lacks.
void check_llama_cpp_runs(const ModelConfig& c, const std::string& dir) {
  const std::string arch(architecture_info(c.arch).model_type);
  if (c.o_bias && c.arch != Architecture::Llama)
    fail("{}: llama.cpp's {} has no attention output bias", dir, arch);
  if (c.rope_scaling.active() && c.arch != Architecture::Llama)
    fail("{}: llama.cpp's {} has no llama3 RoPE scaling", dir, arch);
  if (c.arch == Architecture::Qwen2 && c.n_heads * c.head_dim != c.hidden)
    fail("{}: llama.cpp's qwen2 needs num_attention_heads * head_dim = hidden_size", dir);
}

// llama.cpp's rope_freqs.weight for the llama3 scaling: the divisor of each frequency, as its
// converter computes it (and as src/model/rope.cpp scales them).
std::vector<float> llama3_freq_divisors(const ModelConfig& c) {
  const RopeScaling& s = c.rope_scaling;
  const double low_wavelen = s.original_max_position / s.low_freq_factor;
  const double high_wavelen = s.original_max_position / s.high_freq_factor;
  std::vector<float> divisors;
  for (int j = 0; j < c.head_dim / 2; ++j) {
    const double wavelen = 2 * std::numbers::pi * std::pow(c.rope_theta, 2.0 * j / c.head_dim);
    if (wavelen < high_wavelen) {
      divisors.push_back(1);
    } else if (wavelen > low_wavelen) {
      divisors.push_back(static_cast<float>(s.factor));
    } else {
      const double smooth = (s.original_max_position / wavelen - s.low_freq_factor) /
                            (s.high_freq_factor - s.low_freq_factor);
      divisors.push_back(static_cast<float>(1 / ((1 - smooth) / s.factor + smooth)));
    }
  }
  return divisors;
}

class Exporter {
 public:
  Exporter(const Model& model, DType dtype, GgufWriter& out)
      : model_(model), dtype_(dtype), out_(out) {}

  void add_matrix(const std::string& hf_name, const Matrix& w) {
    const bool permute = gguf_permutes_rows(model_.config(), hf_name);
    const int head_dim = model_.config().head_dim;
    const DType dtype = dtype_;
    out_.add_tensor(gguf_tensor_name(hf_name), dtype, {w.rows, w.cols},
                    [w, permute, head_dim, dtype](std::span<uint8_t> bytes) {
                      const auto n = static_cast<size_t>(w.rows * w.cols);
                      std::vector<float> values(n), ordered;
                      convert_to_f32(w.dtype, w.data, values.data(), n);
                      if (permute) {
                        ordered.resize(n);
                        permute_head_rows(values.data(), ordered.data(), w.rows,
                                          w.cols * sizeof(float), head_dim, true);
                        values.swap(ordered);
                      }
                      convert_from_f32(dtype, values.data(), bytes.data(), n);
                    });
  }

  void add_vector(const std::string& hf_name, const std::vector<float>& v) {
    if (gguf_permutes_rows(model_.config(), hf_name)) {
      std::vector<float> ordered(v.size());
      permute_head_rows(v.data(), ordered.data(), static_cast<int64_t>(v.size()), sizeof(float),
                        model_.config().head_dim, true);
      add_f32(gguf_tensor_name(hf_name), std::move(ordered));
    } else {
      add_f32(gguf_tensor_name(hf_name), v);
    }
  }

  void add_f32(const std::string& name, std::vector<float> v) {
    const auto n = static_cast<int64_t>(v.size());
    out_.add_tensor(name, DType::F32, {n}, [v = std::move(v)](std::span<uint8_t> bytes) {
      std::memcpy(bytes.data(), v.data(), bytes.size());
    });
  }

 private:
  const Model& model_;
  DType dtype_;
  GgufWriter& out_;
};

}  // namespace

void export_gguf(const std::filesystem::path& model_dir, const std::filesystem::path& out,
                 std::optional<DType> dtype) {
  if (is_gguf_model(model_dir))
    fail("{}: export-gguf reads a Hugging Face model directory, not a file", model_dir.string());
  const auto model = Model::load(model_dir);
  const ModelConfig& c = model->config();
  check_llama_cpp_runs(c, model_dir.string());
  const DType type = dtype.value_or(model->weight_dtype());

  GgufWriter writer;
  add_gguf_config(writer, c, type);
  add_gguf_tokenizer(writer, model_dir, c);
  Exporter e(*model, type, writer);
  e.add_matrix("model.embed_tokens.weight", model->embedding());
  if (c.rope_scaling.factor != 0) e.add_f32(kGgufRopeFreqs, llama3_freq_divisors(c));
  for (int i = 0; i < c.n_layers; ++i) {
    const std::string p = fmt::format("model.layers.{}.", i);
    const LayerWeights& l = model->layers()[i];
    e.add_vector(p + "input_layernorm.weight", l.attn_norm);
    e.add_matrix(p + "self_attn.q_proj.weight", l.wq);
    e.add_matrix(p + "self_attn.k_proj.weight", l.wk);
    e.add_matrix(p + "self_attn.v_proj.weight", l.wv);
    e.add_matrix(p + "self_attn.o_proj.weight", l.wo);
    if (c.qkv_bias) {
      e.add_vector(p + "self_attn.q_proj.bias", l.q_bias);
      e.add_vector(p + "self_attn.k_proj.bias", l.k_bias);
      e.add_vector(p + "self_attn.v_proj.bias", l.v_bias);
    }
    if (c.o_bias) e.add_vector(p + "self_attn.o_proj.bias", l.o_bias);
    if (c.qk_norm) {
      e.add_vector(p + "self_attn.q_norm.weight", l.q_norm);
      e.add_vector(p + "self_attn.k_norm.weight", l.k_norm);
    }
    e.add_vector(p + "post_attention_layernorm.weight", l.mlp_norm);
    e.add_matrix(p + "mlp.gate_proj.weight", l.w_gate);
    e.add_matrix(p + "mlp.up_proj.weight", l.w_up);
    e.add_matrix(p + "mlp.down_proj.weight", l.w_down);
  }
  e.add_vector("model.norm.weight", model->final_norm());
  if (!c.tie_embeddings) e.add_matrix("lm_head.weight", model->lm_head());
  writer.write(out);
}

}  // namespace foresight
