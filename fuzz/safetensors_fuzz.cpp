// A safetensors file: header, then every tensor's bytes read as the loaders read them.
#include <vector>

#include "core/safetensors.hpp"
#include "fuzz_input.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = fuzz::input_file(data, size, "input.safetensors");
  fuzz::expect_errors_naming(path.string(), [&] {
    const SafetensorsFile file(path);
    for (const auto& [name, t] : file.tensors()) {
      if (t.dtype != DType::F32 && t.dtype != DType::BF16 && t.dtype != DType::F16) continue;
      std::vector<float> values(static_cast<size_t>(t.numel()));
      convert_to_f32(t.dtype, t.data, values.data(), values.size());
      if (t.dtype == DType::F32 && t.shape.size() == 1) read_flat_f32(file, name, values);
    }
  });
  return 0;
}
