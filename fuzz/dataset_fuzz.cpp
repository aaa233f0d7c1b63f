// A JSONL dataset, read by both of its readers: `eval`/`traces` (problems) and `train-lm`
// (prompt and trace tokenized with the byte-level tokenizer of the random and bundled models).
#include "fuzz_input.hpp"
#include "lm/trace_dataset.hpp"
#include "model/byte_tokenizer.hpp"
#include "tasks/dataset.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ByteTokenizer bytes = make_byte_level_tokenizer();
  static const Tokenizer tokenizer =
      Tokenizer::load(fuzz::write_file(fuzz::scratch_dir() / "tokenizer.json", bytes.json));
  const auto path = fuzz::input_file(data, size, "dataset.jsonl");
  fuzz::expect_errors_naming(path.string(), [&] { read_dataset(path); });
  fuzz::expect_errors_naming(path.string(), [&] {
    read_trace_dataset(std::span(&path, 1), tokenizer, bytes.endoftext_id, 512);
  });
  return 0;
}
