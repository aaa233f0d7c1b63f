#include "lm/checkpoint.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/safetensors.hpp"

namespace foresight {

namespace {

constexpr const char* kState = "state.json";

// JSON numbers print doubles with enough digits to read back the same bits.
Json window_json(const LogWindow& w) {
  return {{"steps", w.steps},
          {"tokens", w.tokens},
          {"loss", w.loss},
          {"grad_norm", w.grad_norm},
          {"seconds", w.seconds}};
}

LogWindow window_from_json(const Json& j) {
  return {j.at("steps").get<int64_t>(), j.at("tokens").get<int64_t>(), j.at("loss").get<double>(),
          j.at("grad_norm").get<double>(), j.at("seconds").get<double>()};
}

}  // namespace

std::filesystem::path checkpoint_state_file(const std::filesystem::path& dir) {
  return dir / kState;
}

void save_checkpoint(const std::filesystem::path& dir, const LmParameters& params,
                     const AdamW& optimizer, const TrainState& state, const Json& config) {
  std::filesystem::create_directories(dir);
  const std::string tensors = fmt::format("tensors-{:08d}.safetensors", state.step);
  const std::vector<int64_t> shape{params.layout.size()};
  const std::vector<TensorToWrite> list = {{"params", DType::F32, shape, params.values.data()},
                                           {"adam_m", DType::F32, shape, optimizer.m().data()},
                                           {"adam_v", DType::F32, shape, optimizer.v().data()}};
  write_safetensors(dir / tensors, list);
  const Json j = {{"step", state.step},
                  {"optimizer_steps", optimizer.steps()},
                  {"data", state.data.to_json()},
                  {"elapsed_seconds", state.elapsed_seconds},
                  {"tokens_seen", state.tokens_seen},
                  {"log_window", window_json(state.log_window)},
                  {"parameters", params.layout.size()},
                  {"tensors", tensors},
                  {"config", config}};
  write_file_atomic(checkpoint_state_file(dir), j.dump(2) + "\n");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("tensors-") && name != tensors) std::filesystem::remove(entry.path());
  }
}

Json load_checkpoint(const std::filesystem::path& dir, LmParameters& params, AdamW& optimizer,
                     TrainState& state) {
  const auto state_path = checkpoint_state_file(dir);
  const std::string where = state_path.string();
  const Json j = read_json_file(state_path);
  try {
    if (j.at("parameters").get<int64_t>() != params.layout.size())
      fail("{}: the checkpoint holds {} parameters, the configured model {}", where,
           j.at("parameters").get<int64_t>(), params.layout.size());
    const auto tensors = j.at("tensors").get<std::string>();
    if (tensors.find('/') != std::string::npos)
      fail("{}: 'tensors' is not a plain file name", where);
    const SafetensorsFile file(dir / tensors);
    read_flat_f32(file, "params", params.values);
    read_flat_f32(file, "adam_m", optimizer.m());
    read_flat_f32(file, "adam_v", optimizer.v());
    optimizer.set_steps(j.at("optimizer_steps").get<int64_t>());
    state.step = j.at("step").get<int64_t>();
    state.data = DataPosition::from_json(j.at("data"), where);
    state.elapsed_seconds = j.at("elapsed_seconds").get<double>();
    state.tokens_seen = j.at("tokens_seen").get<int64_t>();
    // checkpoints written before the window was saved resume with an empty one
    if (j.contains("log_window")) state.log_window = window_from_json(j.at("log_window"));
    return j.at("config");
  } catch (const Json::exception& e) {
    fail("{}: malformed checkpoint state: {}", where, e.what());
  }
}

}  // namespace foresight
