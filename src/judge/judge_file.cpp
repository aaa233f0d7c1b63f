#include "judge/judge_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "core/error.hpp"
#include "core/safetensors.hpp"
#include "kv/schedule.hpp"

namespace foresight {

namespace {

constexpr std::string_view kFormat = "foresight-judge-1", kActivation = "gelu-erf";
constexpr std::string_view kFeaturesNote =
    "x = [key (post-RoPE, or unrotated-key: its rotation undone), value, 8 statistics per query "
    "head of the group: max, min, sum, sums over the chunk's last 8/16/32 queries, cum, "
    "cum_decay (raw, or logstats8: log(x + 1e-6)), with position: log(1 + age), in prompt, "
    "position / length]; all but the paper's key,value,stats8 standardised by input_norm.mean "
    "and .std; statistics 4-6 and 8 follow the paper's intent, not the reference code's copies "
    "of 3 and 7";

std::string tensor_name(int layer, std::string_view what) {
  return fmt::format("model.layers.{}.self_attn.judge_model.{}", layer, what);
}

struct LayerTensor {
  std::string_view what;
  Judge::Tensor tensor;
  std::vector<int64_t> shape;
};

// A layer's tensors in the file: the MLP's, then the input standardisation when the feature
// set has one.
std::vector<LayerTensor> layer_tensors(const JudgeShape& s) {
  const int64_t Hk = s.n_kv_heads, H = s.hidden;
  std::vector<LayerTensor> out = {{"fc1.weight", Judge::Tensor::Fc1Weight, {Hk, s.features(), H}},
                                  {"fc1.bias", Judge::Tensor::Fc1Bias, {Hk, H}},
                                  {"fc2.weight", Judge::Tensor::Fc2Weight, {Hk, H, 1}},
                                  {"fc2.bias", Judge::Tensor::Fc2Bias, {Hk, 1}}};
  if (s.inputs.standardised()) {
    out.push_back({"input_norm.mean", Judge::Tensor::InputMean, {Hk, s.features()}});
    out.push_back({"input_norm.std", Judge::Tensor::InputStd, {Hk, s.features()}});
  }
  return out;
}

std::string meta(const std::map<std::string, std::string>& m, const std::string& key,
                 const std::filesystem::path& path) {
  auto it = m.find(key);
  if (it == m.end()) fail("{}: judge metadata lacks '{}'", path.string(), key);
  return it->second;
}

int meta_int(const std::map<std::string, std::string>& m, const std::string& key,
             const std::filesystem::path& path, int max = INT32_MAX) {
  const std::string text = meta(m, key, path);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0)
    fail("{}: judge metadata '{}' = '{}' is not a whole number", path.string(), key, text);
  if (value > max) fail("{}: judge metadata '{}' = {} is above {}", path.string(), key, value, max);
  return value;
}

}  // namespace

void write_judge(const std::filesystem::path& path, const Judge& judge) {
  const JudgeShape& s = judge.shape();
  std::vector<TensorToWrite> tensors;
  for (int layer = 0; layer < s.n_layers; ++layer)
    for (const LayerTensor& t : layer_tensors(s))
      tensors.push_back(
          {tensor_name(layer, t.what), DType::F32, t.shape, judge.tensor(layer, t.tensor).data()});
  const JudgeInfo& info = judge.info;
  const std::map<std::string, std::string> metadata = {
      {"format", std::string(kFormat)},
      {"model", info.model},
      {"n_layers", std::to_string(s.n_layers)},
      {"n_kv_heads", std::to_string(s.n_kv_heads)},
      {"head_dim", std::to_string(s.head_dim)},
      {"group", std::to_string(s.group)},
      {"budget", std::to_string(info.budget)},
      {"budgets", info.budgets.empty() ? std::to_string(info.budget) : info.budgets},
      {"evict_every", std::to_string(info.evict_every)},
      {"features", s.inputs.name()},
      {"features_note", std::string(kFeaturesNote)},
      {"hidden", std::to_string(s.hidden)},
      {"activation", std::string(kActivation)},
      {"stage", info.stage},
      {"command", info.command},
      {"recent", info.recent}};
  write_safetensors(path, tensors, metadata);
}

Judge read_judge(const std::filesystem::path& path) {
  const SafetensorsFile file(path);
  const std::string where = path.string();
  const auto& m = file.metadata();
  if (meta(m, "format", path) != kFormat)
    fail("{}: not a judge file (format '{}', expected '{}')", where, meta(m, "format", path),
         kFormat);
  const JudgeFeatureSet inputs =
      JudgeFeatureSet::parse(meta(m, "features", path), where + ": judge metadata 'features'");
  if (meta(m, "activation", path) != kActivation)
    fail("{}: unsupported activation '{}' (expected {})", where, meta(m, "activation", path),
         kActivation);
  const int hidden = meta_int(m, "hidden", path, kMaxJudgeHidden);
  if (hidden < 1) fail("{}: judge metadata 'hidden' = 0: a judge needs hidden units", where);
  // The bounds of a model config.json (model/config.cpp), so that no size computed from them
  // overflows; the judge's size is then bounded by the file, whose tensors are all checked
  // before it is allocated.
  const JudgeShape shape{meta_int(m, "n_layers", path, 1024),
                         meta_int(m, "n_kv_heads", path, 1024),
                         meta_int(m, "head_dim", path, 1024),
                         meta_int(m, "group", path, 1024),
                         inputs,
                         hidden};
  if (shape.n_layers < 1 || shape.n_kv_heads < 1 || shape.head_dim < 1 || shape.group < 1)
    fail("{}: judge metadata gives an empty model ({} layers, {} KV heads, head dim {}, group {})",
         where, shape.n_layers, shape.n_kv_heads, shape.head_dim, shape.group);
  const auto budgets = m.find("budgets");  // absent in files of before multi-budget training
  JudgeInfo info = {meta(m, "model", path),
                    meta_int(m, "budget", path),
                    meta_int(m, "evict_every", path),
                    budgets == m.end() ? "" : budgets->second,
                    meta(m, "stage", path),
                    meta(m, "command", path),
                    ""};  // recent: read below, absent from older files
  if (info.stage != "init" && info.stage != "sl" && info.stage != "rl")
    fail("{}: unknown training stage '{}' (init, sl or rl)", where, info.stage);
  if (const auto recent = m.find("recent"); recent != m.end()) {  // absent before --recent
    try {
      EvictionSchedule().set_recent(recent->second);
    } catch (const Error&) {
      fail(
          "{}: judge metadata 'recent' = '{}' is not a whole number of tokens or a share of the "
          "budget (1-100%)",
          where, recent->second);
    }
    info.recent = recent->second;
  }

  std::set<std::string> expected;
  for (int layer = 0; layer < shape.n_layers; ++layer)
    for (const LayerTensor& t : layer_tensors(shape)) {
      const std::string name = tensor_name(layer, t.what);
      const TensorView& view = file.tensor(name);  // Error naming the file if missing
      if (view.shape != t.shape)
        fail("{}: tensor '{}' has shape {}, expected {} for the model in its metadata", where, name,
             view.shape_string(), TensorView{"", DType::F32, t.shape}.shape_string());
      if (view.dtype != DType::F32 && view.dtype != DType::BF16 && view.dtype != DType::F16)
        fail("{}: tensor '{}' has dtype {}, expected a float type", where, name,
             dtype_name(view.dtype));
      expected.insert(name);
    }
  for (const auto& [name, view] : file.tensors())
    if (!expected.contains(name))
      fail("{}: unexpected tensor '{}' (the metadata gives {} layers)", where, name,
           shape.n_layers);

  Judge judge(shape);
  judge.info = info;
  for (int layer = 0; layer < shape.n_layers; ++layer)
    for (const LayerTensor& t : layer_tensors(shape)) {
      const std::string name = tensor_name(layer, t.what);
      const TensorView& view = file.tensor(name);
      const std::span<float> out = judge.tensor(layer, t.tensor);
      convert_to_f32(view.dtype, view.data, out.data(), out.size());
      for (float v : out)
        if (!std::isfinite(v)) fail("{}: tensor '{}' holds NaN or infinity", where, name);
    }
  if (inputs.standardised())
    for (int layer = 0; layer < shape.n_layers; ++layer) {
      const std::span<const float> sd = std::as_const(judge).tensor(layer, Judge::Tensor::InputStd);
      if (std::any_of(sd.begin(), sd.end(), [](float v) { return !(v > 0); }))
        fail("{}: tensor '{}' holds a standard deviation that is not positive", where,
             tensor_name(layer, "input_norm.std"));
    }
  return judge;
}

void check_judge_fits(const Judge& judge, const ModelConfig& c, const std::filesystem::path& path) {
  const JudgeShape& j = judge.shape();
  if (j.same_model(JudgeShape::of(c))) return;
  fail(
      "{}: the judge was built for another model ({} layers, {} KV heads, head dim {}, group {}; "
      "model '{}'), but this model has {} layers, {} KV heads, head dim {}, group {}",
      path.string(), j.n_layers, j.n_kv_heads, j.head_dim, j.group, judge.info.model, c.n_layers,
      c.n_kv_heads, c.head_dim, c.group());
}

}  // namespace foresight
