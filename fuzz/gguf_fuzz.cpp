// A GGUF file: the container with every key read as its type, then the model and the
// tokenizer it describes, loaded as `--model FILE.gguf` loads them.
#include "core/gguf_file.hpp"
#include "fuzz_input.hpp"
#include "model/model.hpp"
#include "model/tokenizer.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = fuzz::input_file(data, size, "input.gguf");
  const std::string subject = path.string();
  fuzz::expect_errors_naming(subject, [&] {
    const GgufFile file(path);
    for (const auto& [key, v] : file.values()) {
      if (v.type == GgufType::String) file.string(key);
      else if (v.type == GgufType::F32 || v.type == GgufType::F64) file.number(key);
      else if (v.type == GgufType::Bool) file.boolean(key);
      else if (v.type != GgufType::Array) file.integer(key, INT64_MIN, INT64_MAX);
      else if (v.element_type == GgufType::String) file.strings(key);
      else if (v.element_type != GgufType::F32 && v.element_type != GgufType::F64 &&
               v.element_type != GgufType::Bool)
        file.integers(key);
    }
  });
  fuzz::expect_errors_naming(subject, [&] { Model::load(path); });
  fuzz::expect_errors_naming(subject, [&] {
    const Tokenizer tokenizer = Tokenizer::for_model(path);
    tokenizer.decode(tokenizer.encode("Hello <|im_start|>world\n 123 caf\xc3\xa9"));
  });
  return 0;
}
