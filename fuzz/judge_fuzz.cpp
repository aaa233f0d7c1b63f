// A judge file (safetensors with the judge's metadata), checked against the tiny model's
// shape as `--judge` is.
#include "fuzz_input.hpp"
#include "judge/judge_file.hpp"
#include "model/random_model.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ModelConfig tiny = [] {
    const auto dir = fuzz::scratch_dir() / "model";
    write_random_model(dir, RandomModelSpec::preset("tiny"));
    return ModelConfig::load(dir);
  }();
  const auto path = fuzz::input_file(data, size, "judge.safetensors");
  fuzz::expect_errors_naming(path.string(),
                             [&] { check_judge_fits(read_judge(path), tiny, path); });
  return 0;
}
