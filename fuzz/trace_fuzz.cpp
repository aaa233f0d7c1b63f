// A traces file as `score` and `train-judge` read it. The first byte picks the format, as the
// file's extension does for the CLI: even for safetensors, odd for JSONL.
#include "eval/trace.hpp"
#include "fuzz_input.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* name = data[0] % 2 == 0 ? "traces.safetensors" : "traces.jsonl";
  const auto path = fuzz::input_file(data + 1, size - 1, name);
  fuzz::expect_errors_naming(path.string(), [&] {
    read_traces(path, 300);
    read_trace_settings(path);
  });
  return 0;
}
