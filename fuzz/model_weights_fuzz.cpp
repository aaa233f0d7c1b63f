// The weights of a model directory (model.safetensors) under a fixed, valid config.json: the
// tiny preset of `foresight random-model`, which make_corpus.sh writes the seeds with.
#include "fuzz_input.hpp"
#include "model/model.hpp"
#include "model/random_model.hpp"

using namespace foresight;

namespace {
const std::filesystem::path& model_dir() {
  static const auto dir = [] {
    auto d = fuzz::scratch_dir() / "model";
    write_random_model(d, RandomModelSpec::preset("tiny"));
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = model_dir();
  fuzz::input_file(data, size, "model/model.safetensors");
  fuzz::expect_errors_naming(dir.string(), [&] { Model::load(dir); });
  return 0;
}
