#include "eval/trace.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "core/error.hpp"
#include "core/safetensors.hpp"

namespace foresight {

namespace {

constexpr const char* kFormat = "foresight-traces-1";

// A copy of a 1-D tensor of the given dtype (stored data may be unaligned).
template <typename T>
std::vector<T> read_vector(const SafetensorsFile& file, const std::string& name, DType dtype) {
  const TensorView& t = file.tensor(name);
  if (t.dtype != dtype || t.shape.size() != 1)
    fail("{}: tensor '{}' must be 1-D {}, got {} {}", file.path().string(), name, dtype_name(dtype),
         dtype_name(t.dtype), t.shape_string());
  std::vector<T> v(static_cast<size_t>(t.shape[0]));
  std::memcpy(v.data(), t.data, t.bytes);
  return v;
}

void check_trace(const Trace& t, int vocab, const std::string& where) {
  const auto n = static_cast<int64_t>(t.ids.size());
  if (n < 2) fail("{}: a trace needs at least 2 tokens, got {}", where, n);
  if (t.prompt_len < 1 || t.prompt_len >= n)
    fail("{}: prompt_len {} must be in [1, {}) (at least one prompt and one scored token)", where,
         t.prompt_len, n);
  for (int32_t id : t.ids)
    if (id < 0 || (vocab > 0 && id >= vocab))
      fail("{}: token id {} is outside the vocabulary [0, {})", where, id, vocab);
  if (!t.has_reference()) return;
  if (int64_t(t.ce.size()) != n || int64_t(t.entropy.size()) != n)
    fail("{}: reference losses have {} and {} values for {} tokens", where, t.ce.size(),
         t.entropy.size(), n);
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(t.ce[i]) || !std::isfinite(t.entropy[i]) || t.ce[i] < 0 || t.entropy[i] < 0)
      fail("{}: reference loss at token {} is not a finite non-negative number", where, i);
}

std::vector<Trace> read_safetensors_traces(const std::filesystem::path& path) {
  const SafetensorsFile file(path);
  const std::string name = path.string();
  const auto& meta = file.metadata();
  const auto format = meta.find("format");
  if (format == meta.end() || format->second != kFormat)
    fail("{}: not a traces file (metadata \"format\" must be \"{}\")", name, kFormat);
  const auto ids = read_vector<int32_t>(file, "ids", DType::I32);
  const auto offsets = read_vector<int64_t>(file, "offsets", DType::I64);
  const auto prompt_lens = read_vector<int32_t>(file, "prompt_lens", DType::I32);
  const bool has_reference = file.contains("ce");
  std::vector<float> ce, entropy;
  if (has_reference) {
    ce = read_vector<float>(file, "ce", DType::F32);
    entropy = read_vector<float>(file, "entropy", DType::F32);
    if (ce.size() != ids.size() || entropy.size() != ids.size())
      fail("{}: \"ce\" and \"entropy\" must have as many values as \"ids\" ({})", name, ids.size());
  }
  const size_t n = prompt_lens.size();
  // From 0 to the end and never decreasing, so that every trace lies inside "ids".
  if (offsets.size() != n + 1 || offsets.front() != 0 || offsets.back() != int64_t(ids.size()) ||
      !std::is_sorted(offsets.begin(), offsets.end()))
    fail("{}: \"offsets\" must hold {} non-decreasing starts from 0 to {}", name, n + 1,
         ids.size());
  const auto traces = meta.find("traces");
  const Json info = traces == meta.end()
                        ? Json::array()
                        : parse_json(traces->second, fmt::format("{}: metadata \"traces\"", name));
  if (!info.is_array() || (!info.empty() && info.size() != n))
    fail("{}: metadata \"traces\" must be an array of {} objects", name, n);

  std::vector<Trace> out(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string where = fmt::format("{}: trace {}", name, i);
    Trace& t = out[i];
    t.ids.assign(ids.begin() + offsets[i], ids.begin() + offsets[i + 1]);
    t.prompt_len = prompt_lens[i];
    if (has_reference) {
      t.ce.assign(ce.begin() + offsets[i], ce.begin() + offsets[i + 1]);
      t.entropy.assign(entropy.begin() + offsets[i], entropy.begin() + offsets[i + 1]);
    }
    t.id = std::to_string(i);
    if (!info.empty()) {
      if (!info[i].is_object()) fail("{}: metadata entry is not an object", where);
      t.id = string_field(info[i], "id", where);
      t.group = string_field(info[i], "group", where);
    }
  }
  return out;
}

std::vector<Trace> read_jsonl_traces(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open file", path.string());
  std::vector<Trace> out;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", path.string(), line_no);
    const Json item = parse_json(line, where);
    if (!item.is_object())
      fail("{}: expected an object {{\"ids\": [...], \"prompt_len\": n}}", where);
    Trace t;
    const auto ids = item.find("ids");
    if (ids == item.end() || !ids->is_array()) fail("{}.ids: missing or not an array", where);
    for (const Json& id : *ids) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX)
        fail("{}.ids: {} is not a token id", where, id.dump());
      t.ids.push_back(id.get<int32_t>());
    }
    t.prompt_len = int_field(item, "prompt_len", where);
    t.id = item.contains("id") ? string_field(item, "id", where) : std::to_string(out.size());
    if (item.contains("group")) t.group = string_field(item, "group", where);
    out.push_back(std::move(t));
  }
  if (in.bad()) fail("{}: read failed", path.string());
  return out;
}

}  // namespace

std::vector<Trace> read_traces(const std::filesystem::path& path, int vocab) {
  const std::string ext = path.extension().string();
  std::vector<Trace> traces;
  if (ext == ".safetensors") traces = read_safetensors_traces(path);
  else if (ext == ".jsonl") traces = read_jsonl_traces(path);
  else fail("{}: traces must be a .safetensors or .jsonl file", path.string());
  if (traces.empty()) fail("{}: holds no traces", path.string());
  for (const Trace& t : traces)
    check_trace(t, vocab, fmt::format("{}: trace '{}'", path.string(), t.id));
  return traces;
}

Json read_trace_settings(const std::filesystem::path& path) {
  if (path.extension() != ".safetensors") return Json::object();
  const SafetensorsFile file(path);
  const auto it = file.metadata().find("settings");
  if (it == file.metadata().end()) return Json::object();
  return parse_json(it->second, fmt::format("{}: metadata \"settings\"", path.string()));
}

void write_traces(const std::filesystem::path& path, const std::vector<Trace>& traces,
                  const Json& settings) {
  if (traces.empty()) fail("{}: no traces to write", path.string());
  const bool has_reference = traces.front().has_reference();
  std::vector<int32_t> ids, prompt_lens;
  std::vector<int64_t> offsets{0};
  std::vector<float> ce, entropy;
  Json info = Json::array();
  for (const Trace& t : traces) {
    check_trace(t, 0, fmt::format("{}: trace '{}'", path.string(), t.id));
    if (t.has_reference() != has_reference)
      fail("{}: either every trace has reference losses or none", path.string());
    ids.insert(ids.end(), t.ids.begin(), t.ids.end());
    ce.insert(ce.end(), t.ce.begin(), t.ce.end());
    entropy.insert(entropy.end(), t.entropy.begin(), t.entropy.end());
    offsets.push_back(int64_t(ids.size()));
    prompt_lens.push_back(t.prompt_len);
    info.push_back({{"id", t.id}, {"group", t.group}});
  }
  const auto n = int64_t(traces.size()), total = int64_t(ids.size());
  std::vector<TensorToWrite> tensors = {{"ids", DType::I32, {total}, ids.data()},
                                        {"offsets", DType::I64, {n + 1}, offsets.data()},
                                        {"prompt_lens", DType::I32, {n}, prompt_lens.data()}};
  if (has_reference) {
    tensors.push_back({"ce", DType::F32, {total}, ce.data()});
    tensors.push_back({"entropy", DType::F32, {total}, entropy.data()});
  }
  write_safetensors(path, tensors,
                    {{"format", kFormat}, {"traces", info.dump()}, {"settings", settings.dump()}});
}

}  // namespace foresight
