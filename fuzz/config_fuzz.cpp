// A Hugging Face config.json: what loads must describe a model the engine can build (its RoPE
// table, its sizes) and must survive a write and a re-read unchanged.
#include "core/atomic_file.hpp"
#include "fuzz_input.hpp"
#include "model/config.hpp"
#include "model/rope.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = fuzz::scratch_dir() / "model";
  std::filesystem::create_directories(dir);
  fuzz::input_file(data, size, "model/config.json");
  fuzz::expect_errors_naming("config.json", [&] {
    const ModelConfig c = ModelConfig::load(dir);
    const Rope rope(c);
    std::vector<float> cos_sin(static_cast<size_t>(c.head_dim));
    rope.cos_sin(c.max_position - 1, cos_sin.data());
    if (c.parameter_count() <= 0 || c.kv_bytes_per_token() <= 0) std::abort();
    write_file_atomic(dir / "config.json", to_hf_config(c, DType::BF16).dump());
    const ModelConfig again = ModelConfig::load(dir);
    if (to_hf_config(again, DType::BF16) != to_hf_config(c, DType::BF16)) std::abort();
  });
  return 0;
}
