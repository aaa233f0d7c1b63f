// The shard index of a model directory (model.safetensors.index.json) over fixed, valid
// shards: the tiny preset of `foresight random-model --shards 2`, as in make_corpus.sh.
#include "fuzz_input.hpp"
#include "model/model.hpp"
#include "model/random_model.hpp"

using namespace foresight;

namespace {
const std::filesystem::path& model_dir() {
  static const auto dir = [] {
    auto d = fuzz::scratch_dir() / "model";
    RandomModelSpec spec = RandomModelSpec::preset("tiny");
    spec.shards = 2;
    write_random_model(d, spec);
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = model_dir();
  fuzz::input_file(data, size, "model/model.safetensors.index.json");
  fuzz::expect_errors_naming(dir.string(), [&] { Model::load(dir); });
  return 0;
}
