#include "cli/kv_memory_option.hpp"

#include <unistd.h>
#include <charconv>

#include "core/error.hpp"
#include "engine/generate.hpp"

namespace foresight::cli {

void add_kv_memory_option(CLI::App* cmd, std::string& text, const std::string& default_text) {
  text = default_text;
  auto* option = cmd->add_option("--kv-memory", text,
                                 "bytes of keys and values the sequences decoded together may "
                                 "reserve (suffix K, M or G)");
  if (default_text.empty()) option->default_str("half the machine's memory");
  else option->capture_default_str();
}

void add_max_batch_option(CLI::App* cmd, int& value) {
  value = DecodeLimits{}.max_sequences;
  cmd->add_option("--max-batch", value,
                  "sequences decoded together at most (0: as many as --kv-memory holds)")
      ->capture_default_str();
}

int64_t parse_kv_memory(const std::string& text) {
  if (text.empty()) return int64_t{::sysconf(_SC_PHYS_PAGES)} * ::sysconf(_SC_PAGESIZE) / 2;
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, value);
  const std::string suffix(rest, end);
  const int shift = suffix.empty()  ? 0
                    : suffix == "K" ? 10
                    : suffix == "M" ? 20
                    : suffix == "G" ? 30
                                    : -1;
  if (error != std::errc() || shift < 0 || value < 1 || value > (INT64_MAX >> shift))
    fail("--kv-memory: '{}' is not a positive number of bytes (e.g. 2000000000, 512M, 2G)", text);
  return value << shift;
}

}  // namespace foresight::cli
