#include "model/config.hpp"

#include <optional>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/gguf_config.hpp"

namespace foresight {

namespace {

// Reads an integer field and checks its range; sizes past these limits are refused before
// anything is allocated from them.
int64_t get_int(const Json& j, const std::string& file, const char* key, int64_t lo, int64_t hi,
                std::optional<int64_t> fallback = std::nullopt) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (fallback) return *fallback;
    fail("{}: missing '{}'", file, key);
  }
  if (!it->is_number_integer()) fail("{}: '{}' must be an integer", file, key);
  const auto v = json_int64(*it);
  if (!v || *v < lo || *v > hi)
    fail("{}: '{}' = {} is outside [{}, {}]", file, key, it->dump(), lo, hi);
  return *v;
}

double get_double(const Json& j, const std::string& file, const char* key, double lo, double hi,
                  double fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number()) fail("{}: '{}' must be a number", file, key);
  double v = it->get<double>();
  if (!(v >= lo && v <= hi)) fail("{}: '{}' = {} is outside [{}, {}]", file, key, v, lo, hi);
  return v;
}

bool get_bool(const Json& j, const std::string& file, const char* key, bool fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail("{}: '{}' must be true or false", file, key);
  return it->get<bool>();
}

std::string get_string(const Json& j, const std::string& file, const char* key,
                       const std::string& fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_string()) fail("{}: '{}' must be a string, got {}", file, key, it->dump());
  return it->get<std::string>();
}

// eos_token_id may be one id or a list.
std::vector<int32_t> get_ids(const Json& j, const std::string& file, const char* key, int vocab) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  std::vector<int32_t> ids;
  auto add = [&](const Json& v) {
    const auto id = json_int64(v);
    if (!id || *id < 0 || *id >= vocab)
      fail("{}: '{}' holds {}, not a token id below vocab_size {}", file, key, v.dump(), vocab);
    ids.push_back(static_cast<int32_t>(*id));
  };
  if (it->is_array()) {
    for (const auto& v : *it) add(v);
  } else {
    add(*it);
  }
  return ids;
}

RopeScaling parse_rope_scaling(const Json& j, const std::string& file) {
  auto it = j.find("rope_scaling");
  if (it == j.end() || it->is_null()) return {};
  const Json& s = *it;
  if (!s.is_object()) fail("{}: 'rope_scaling' must be an object", file);
  const std::string type = get_string(s, file, "rope_type", get_string(s, file, "type", ""));
  if (type == "default") return {};
  if (type != "llama3")
    fail("{}: rope_scaling type '{}' is not supported (only 'llama3')", file, type);
  RopeScaling r;
  r.factor = get_double(s, file, "factor", 1.0, 1e6, 0);
  r.low_freq_factor = get_double(s, file, "low_freq_factor", 1e-6, 1e6, 0);
  r.high_freq_factor = get_double(s, file, "high_freq_factor", 1e-6, 1e6, 0);
  r.original_max_position =
      get_int(s, file, "original_max_position_embeddings", 1, int64_t{1} << 30);
  if (r.factor == 0 || r.low_freq_factor == 0 || r.high_freq_factor <= r.low_freq_factor)
    fail("{}: rope_scaling 'llama3' needs factor, and high_freq_factor > low_freq_factor", file);
  return r;
}

}  // namespace

std::string architecture_name(Architecture a) { return std::string(architecture_info(a).hf_name); }

void ModelConfig::set_architecture(Architecture a, bool attention_bias) {
  const ArchitectureInfo& info = architecture_info(a);
  arch = a;
  arch_name = info.hf_name;
  qk_norm = info.qk_norm;
  qkv_bias = info.qkv_bias || attention_bias;
  o_bias = !info.qkv_bias && attention_bias;
}

Json to_hf_config(const ModelConfig& c, DType dtype) {
  const ArchitectureInfo& info = architecture_info(c.arch);
  // The inverse of set_architecture: attention_bias is what the architecture does not imply.
  const bool attention_bias = !info.qkv_bias && c.o_bias;
  Json j = {{"architectures", {architecture_name(c.arch)}},
            {"model_type", info.model_type},
            {"hidden_size", c.hidden},
            {"intermediate_size", c.intermediate},
            {"num_hidden_layers", c.n_layers},
            {"num_attention_heads", c.n_heads},
            {"num_key_value_heads", c.n_kv_heads},
            {"head_dim", c.head_dim},
            {"vocab_size", c.vocab},
            {"max_position_embeddings", c.max_position},
            {"rope_theta", c.rope_theta},
            {"rms_norm_eps", c.rms_eps},
            {"tie_word_embeddings", c.tie_embeddings},
            {"hidden_act", "silu"},
            {"attention_bias", attention_bias},
            {"torch_dtype", dtype == DType::F32    ? "float32"
                            : dtype == DType::BF16 ? "bfloat16"
                                                   : "float16"}};
  if (c.bos_id >= 0) j["bos_token_id"] = c.bos_id;
  if (c.eos_ids.size() == 1) j["eos_token_id"] = c.eos_ids[0];
  else if (!c.eos_ids.empty()) j["eos_token_id"] = c.eos_ids;
  const RopeScaling& r = c.rope_scaling;
  if (r.factor != 0)
    j["rope_scaling"] = {{"rope_type", "llama3"},
                         {"factor", r.factor},
                         {"low_freq_factor", r.low_freq_factor},
                         {"high_freq_factor", r.high_freq_factor},
                         {"original_max_position_embeddings", r.original_max_position}};
  return j;
}

int64_t ModelConfig::parameter_count() const {
  const int64_t q = int64_t{n_heads} * head_dim, kv = int64_t{n_kv_heads} * head_dim;
  int64_t attn = hidden * (q + 2 * kv) + q * hidden;
  if (qkv_bias) attn += q + 2 * kv;
  if (o_bias) attn += hidden;
  if (qk_norm) attn += 2 * head_dim;
  const int64_t mlp = 3 * int64_t{hidden} * intermediate;
  const int64_t per_layer = attn + mlp + 2 * hidden;
  const int64_t embed = int64_t{vocab} * hidden;
  return embed * (tie_embeddings ? 1 : 2) + n_layers * per_layer + hidden;
}

void ModelConfig::check_heads(const std::string& file) const {
  if (n_heads % n_kv_heads != 0)
    fail("{}: num_attention_heads {} is not a multiple of num_key_value_heads {}", file, n_heads,
         n_kv_heads);
  if (head_dim < 2 || head_dim % 2 != 0)
    fail("{}: head_dim {} must be even (and positive) for RoPE", file, head_dim);
}

ModelConfig ModelConfig::load(const std::filesystem::path& model_dir) {
  if (is_gguf_model(model_dir)) return gguf_model_config(GgufFile(model_dir));
  const auto path = model_dir / "config.json";
  const std::string file = path.string();
  if (!std::filesystem::exists(path))
    fail("{}: not found (is '{}' a model directory?)", file, model_dir.string());
  Json j = read_json_file(path);
  if (!j.is_object()) fail("{}: not a JSON object", file);
  ModelConfig c;
  auto arch = j.find("architectures");
  if (arch == j.end() || !arch->is_array() || arch->empty() || !(*arch)[0].is_string())
    fail("{}: missing 'architectures'", file);
  const std::string arch_name = (*arch)[0].get<std::string>();
  const ArchitectureInfo* info = find_architecture(arch_name);
  if (!info || info->hf_name != arch_name)
    fail("{}: architecture '{}' is not supported ({} are)", file, arch_name,
         architecture_list(true));

  c.hidden = static_cast<int>(get_int(j, file, "hidden_size", 1, kMaxModelDim));
  c.intermediate = static_cast<int>(get_int(j, file, "intermediate_size", 1, kMaxModelDim * 8));
  c.n_layers = static_cast<int>(get_int(j, file, "num_hidden_layers", 1, 1024));
  c.n_heads = static_cast<int>(get_int(j, file, "num_attention_heads", 1, 1024));
  c.n_kv_heads = static_cast<int>(get_int(j, file, "num_key_value_heads", 1, c.n_heads, c.n_heads));
  if (c.hidden % c.n_heads != 0 && j.value("head_dim", Json()).is_null())
    fail("{}: hidden_size {} is not a multiple of num_attention_heads {} and no head_dim is given",
         file, c.hidden, c.n_heads);
  c.head_dim = static_cast<int>(get_int(j, file, "head_dim", 2, 1024, c.hidden / c.n_heads));
  c.check_heads(file);
  c.vocab = static_cast<int>(get_int(j, file, "vocab_size", 1, kMaxModelVocab));
  c.max_position = get_int(j, file, "max_position_embeddings", 1, int64_t{1} << 30, 32768);
  c.rope_theta = get_double(j, file, "rope_theta", 1.0, 1e12, 10000.0);
  c.rms_eps = get_double(j, file, "rms_norm_eps", 1e-12, 1.0, 1e-6);
  c.rope_scaling = parse_rope_scaling(j, file);
  c.tie_embeddings = get_bool(j, file, "tie_word_embeddings", false);
  c.set_architecture(info->arch, get_bool(j, file, "attention_bias", false));
  if (get_bool(j, file, "mlp_bias", false)) fail("{}: 'mlp_bias' is not supported", file);
  const std::string act = get_string(j, file, "hidden_act", "silu");
  if (act != "silu") fail("{}: hidden_act '{}' is not supported (only silu)", file, act);

  c.eos_ids = get_ids(j, file, "eos_token_id", c.vocab);
  auto bos = get_ids(j, file, "bos_token_id", c.vocab);
  if (!bos.empty()) c.bos_id = bos[0];
  const auto gen_path = model_dir / "generation_config.json";
  if (std::filesystem::exists(gen_path)) {
    Json g = read_json_file(gen_path);
    auto gen_eos = get_ids(g, gen_path.string(), "eos_token_id", c.vocab);
    if (!gen_eos.empty()) c.eos_ids = gen_eos;
  }
  return c;
}

}  // namespace foresight
