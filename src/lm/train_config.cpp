#include "lm/train_config.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "core/error.hpp"

namespace foresight {

namespace {

// One JSON object of the config: typed, range-checked reads by key, and at the end an error
// for any key that was not read.
class Section {
 public:
  Section(const Json* json, std::string file, std::string path)
      : json_(json), file_(std::move(file)), path_(std::move(path)) {
    if (json_ != nullptr && !json_->is_object())
      fail("{}: '{}' must be an object", file_, path_.empty() ? "(top level)" : path_);
  }

  Section section(const char* key) {
    const Json* j = find(key);
    return Section(j, file_, name(key));
  }

  int64_t integer(const char* key, int64_t lo, int64_t hi, int64_t fallback) {
    const Json* j = find(key);
    if (j == nullptr) return fallback;
    if (!j->is_number_integer())
      fail("{}: '{}' must be an integer, got {}", file_, name(key), j->dump());
    const auto v = json_int64(*j);
    if (!v || *v < lo || *v > hi)
      fail("{}: '{}' = {} is outside [{}, {}]", file_, name(key), j->dump(), lo, hi);
    return *v;
  }

  int64_t required_integer(const char* key, int64_t lo, int64_t hi) {
    if (find(key) == nullptr) fail("{}: missing '{}'", file_, name(key));
    return integer(key, lo, hi, 0);
  }

  double number(const char* key, double lo, double hi, double fallback) {
    const Json* j = find(key);
    if (j == nullptr) return fallback;
    if (!j->is_number()) fail("{}: '{}' must be a number, got {}", file_, name(key), j->dump());
    const auto v = j->get<double>();
    if (!(v >= lo && v <= hi))
      fail("{}: '{}' = {} is outside [{}, {}]", file_, name(key), v, lo, hi);
    return v;
  }

  std::string string(const char* key) {
    const Json* j = find(key);
    if (j == nullptr) return {};
    if (!j->is_string()) fail("{}: '{}' must be a string, got {}", file_, name(key), j->dump());
    return j->get<std::string>();
  }

  // A string or a list of strings.
  std::vector<std::string> strings(const char* key) {
    const Json* j = find(key);
    if (j == nullptr) return {};
    std::vector<std::string> out;
    if (j->is_string()) return {j->get<std::string>()};
    if (!j->is_array()) fail("{}: '{}' must be a string or a list of strings", file_, name(key));
    for (const Json& v : *j) {
      if (!v.is_string()) fail("{}: '{}' must hold strings, got {}", file_, name(key), v.dump());
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  void finish() const {
    if (json_ == nullptr) return;
    for (const auto& [key, value] : json_->items())
      if (!read_.count(key))
        fail("{}: unknown key '{}' (known here: {})", file_, name(key.c_str()), known());
  }

 private:
  const Json* find(const char* key) {
    read_.insert(key);
    if (json_ == nullptr) return nullptr;
    auto it = json_->find(key);
    return it == json_->end() || it->is_null() ? nullptr : &*it;
  }
  std::string name(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  std::string known() const {
    std::string s;
    for (const auto& k : read_) s += (s.empty() ? "" : ", ") + k;
    return s;
  }

  const Json* json_;
  std::string file_, path_;
  std::set<std::string> read_;
};

constexpr int64_t kBig = std::numeric_limits<int32_t>::max();

}  // namespace

int64_t DataSettings::length_cap(int64_t step) const {
  if (curriculum_start_tokens == 0 || step >= curriculum_ramp_steps) return max_tokens;
  const double f = double(step) / double(curriculum_ramp_steps);
  return curriculum_start_tokens + int64_t(f * double(max_tokens - curriculum_start_tokens));
}

TrainConfig parse_train_config(const Json& json, const std::string& file,
                               const std::filesystem::path& base_dir) {
  TrainConfig c;
  c.source = json;
  Section top(&json, file, "");
  c.seed = static_cast<uint64_t>(top.integer("seed", 0, std::numeric_limits<int64_t>::max(), 1));
  c.checkpoint.minutes = top.number("checkpoint_minutes", 0.0, 1e6, 5.0);
  c.checkpoint.steps = top.integer("checkpoint_every", 0, kBig, 0);
  c.log_every = top.integer("log_every", 1, kBig, 10);

  Section m = top.section("model");
  LmShape& s = c.model;
  s.layers = int(m.integer("layers", 1, 256, s.layers));
  s.hidden = int(m.integer("hidden", 1, 65536, s.hidden));
  s.heads = int(m.integer("heads", 1, 256, s.heads));
  s.kv_heads = int(m.integer("kv_heads", 1, 256, s.kv_heads));
  s.head_dim = int(m.integer("head_dim", 2, 1024, s.head_dim));
  s.intermediate = int(m.integer("intermediate", 1, 1 << 20, s.intermediate));
  s.rope_theta = m.number("rope_theta", 1.0, 1e12, s.rope_theta);
  s.rms_eps = m.number("rms_eps", 1e-12, 1.0, s.rms_eps);
  s.max_positions = m.integer("max_positions", 2, 1 << 20, s.max_positions);
  c.init_std = m.number("init_std", 0.0, 10.0, c.init_std);
  c.qk_norm_init = m.number("qk_norm_init", 0.0, 100.0, c.qk_norm_init);
  if (const std::string init = m.string("init"); !init.empty()) c.init = base_dir / init;
  c.fresh_tokens = m.string("fresh_tokens");
  m.finish();
  if (!c.fresh_tokens.empty() && c.init.empty())
    fail("{}: 'model.fresh_tokens' needs 'model.init': a model without one draws every row afresh",
         file);
  if (s.heads % s.kv_heads != 0)
    fail("{}: 'model.heads' = {} must be a multiple of 'model.kv_heads' = {}", file, s.heads,
         s.kv_heads);
  if (s.head_dim % 2 != 0) fail("{}: 'model.head_dim' = {} must be even (RoPE)", file, s.head_dim);

  Section o = top.section("optimizer");
  LrSchedule& lr = c.schedule;
  lr.total_steps = o.required_integer("steps", 1, kBig);
  lr.lr = o.number("lr", 1e-12, 10.0, 1e-3);
  lr.min_lr = o.number("min_lr", 0.0, lr.lr, lr.lr * 0.1);
  lr.warmup_steps =
      o.integer("warmup_steps", 0, lr.total_steps, std::min<int64_t>(100, lr.total_steps / 10));
  c.adamw.weight_decay = o.number("weight_decay", 0.0, 10.0, c.adamw.weight_decay);
  c.adamw.beta1 = o.number("beta1", 0.0, 0.999999, c.adamw.beta1);
  c.adamw.beta2 = o.number("beta2", 0.0, 0.999999999, c.adamw.beta2);
  c.adamw.eps = o.number("eps", 1e-30, 1.0, c.adamw.eps);
  c.clip = o.number("clip", 0.0, 1e9, c.clip);
  o.finish();

  Section b = top.section("batch");
  c.batch.sequences = b.integer("sequences", 1, 1 << 20, c.batch.sequences);
  c.batch.tokens = b.integer("tokens", 2, kBig, c.batch.tokens);
  b.finish();

  Section d = top.section("data");
  for (const std::string& p : d.strings("train")) c.data.train.push_back(base_dir / p);
  if (c.data.train.empty()) fail("{}: 'data.train' must name at least one JSONL file", file);
  c.data.max_tokens = d.integer("max_tokens", 1, s.max_positions, s.max_positions);
  Section cur = d.section("curriculum");
  c.data.curriculum_start_tokens = cur.integer("start_tokens", 1, c.data.max_tokens, 0);
  c.data.curriculum_ramp_steps = cur.integer("ramp_steps", 1, kBig, lr.total_steps / 2 + 1);
  cur.finish();
  Section live = d.section("live_mask");
  auto& mask = c.data.live_mask;
  mask.share = live.number("share", 0.0, 1.0, 0.0);
  mask.min_budget = live.integer("min_budget", 1, c.data.max_tokens, mask.min_budget);
  mask.max_budget = live.integer("max_budget", mask.min_budget, kBig, mask.max_budget);
  mask.every = live.integer("every", 1, c.data.max_tokens, mask.every);
  live.finish();
  d.finish();
  if (c.data.max_tokens > c.batch.tokens)
    fail(
        "{}: 'batch.tokens' = {} is below 'data.max_tokens' = {}: the longest examples would fit "
        "in no batch",
        file, c.batch.tokens, c.data.max_tokens);

  Section e = top.section("eval");
  const std::string heldout = e.string("heldout");
  if (!heldout.empty()) c.eval.heldout = base_dir / heldout;
  c.eval.every = e.integer("every", 1, kBig, c.eval.every);
  c.eval.max_examples = e.integer("max_examples", 0, kBig, 0);
  c.eval.accuracy_every = e.integer("accuracy_every", 0, kBig, 0);
  c.eval.accuracy_examples = e.integer("accuracy_examples", 1, kBig, c.eval.accuracy_examples);
  if (c.eval.accuracy_every > 0 && c.eval.heldout.empty())
    fail("{}: 'eval.accuracy_every' needs 'eval.heldout' (the problems to solve)", file);
  e.finish();
  top.finish();
  return c;
}

TrainConfig load_train_config(const std::filesystem::path& path) {
  return parse_train_config(read_json_file(path), path.string(), path.parent_path());
}

}  // namespace foresight
