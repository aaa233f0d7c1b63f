#include "train/judge_checkpoint.hpp"

#include "core/error.hpp"
#include "core/safetensors.hpp"

namespace foresight {

namespace {

constexpr const char* kCheckpointFormat = "foresight-judge-checkpoint-1";

}  // namespace

void save_judge_checkpoint(const std::filesystem::path& path, const Judge& judge, const AdamW& adam,
                           const RunPosition& position, const Json& settings) {
  const std::vector<int64_t> shape{int64_t(judge.parameters().size())};
  const std::vector<TensorToWrite> tensors = {
      {"params", DType::F32, shape, judge.parameters().data()},
      {"adam_m", DType::F32, shape, adam.m().data()},
      {"adam_v", DType::F32, shape, adam.v().data()}};
  const Json state = {{"step", position.step},
                      {"optimizer_steps", adam.steps()},
                      {"elapsed_seconds", position.elapsed_seconds},
                      {"settings", settings}};
  write_safetensors(path, tensors, {{"format", kCheckpointFormat}, {"state", state.dump()}});
}

Json load_judge_checkpoint(const std::filesystem::path& path, Judge& judge, AdamW& adam,
                           RunPosition& position) {
  const SafetensorsFile file(path);
  const auto& meta = file.metadata();
  const auto state_text = meta.find("state");
  if (meta.find("format") == meta.end() || meta.at("format") != kCheckpointFormat ||
      state_text == meta.end())
    fail("{}: not a judge training checkpoint", path.string());
  read_flat_f32(file, "params", judge.parameters());
  read_flat_f32(file, "adam_m", adam.m());
  read_flat_f32(file, "adam_v", adam.v());
  const Json state = Json::parse(state_text->second, nullptr, false);
  try {
    position.step = state.at("step").get<int64_t>();
    position.elapsed_seconds = state.at("elapsed_seconds").get<double>();
    adam.set_steps(state.at("optimizer_steps").get<int64_t>());
    return state.at("settings");
  } catch (const Json::exception& e) {
    fail("{}: malformed checkpoint state: {}", path.string(), e.what());
  }
}

}  // namespace foresight
