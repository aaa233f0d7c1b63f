// Loading a tokenizer.json; what loads must encode text to ids that decode.
#include "fuzz_input.hpp"
#include "model/tokenizer.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = fuzz::input_file(data, size, "tokenizer.json");
  fuzz::expect_errors_naming(path.string(), [&] {
    const Tokenizer tokenizer = Tokenizer::load(path);
    // Decoding what encode made cannot fail: a decode Error (which names no file) is a finding.
    const auto ids =
        tokenizer.encode("Hello wörld!\n  <|im_start|>user 12345 \xff\xfe caf\xc3\xa9");
    tokenizer.decode(ids);
  });
  return 0;
}
