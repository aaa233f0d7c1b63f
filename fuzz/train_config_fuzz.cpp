// The JSON configuration of `train-lm` (src/lm/train_config.hpp).
#include "fuzz_input.hpp"
#include "lm/train_config.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Json json = Json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;  // not JSON: read_json_file's error, not this parser's
  fuzz::expect_errors_naming("train.json",
                             [&] { parse_train_config(json, "train.json", "/data"); });
  return 0;
}
