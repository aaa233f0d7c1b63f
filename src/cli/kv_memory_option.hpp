// The limits of the commands that generate in batches: --kv-memory BYTES, the cap on the KV
// cache of the sequences decoded together, and --max-batch N, how many run at once.
#pragma once
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace foresight::cli {

// Adds --kv-memory to `command`, its text kept in `text`. `default_text` empty: half the
// machine's memory (enough for what fits, without letting a large evaluation exhaust it).
void add_kv_memory_option(CLI::App* command, std::string& text,
                          const std::string& default_text = "");

// Adds --max-batch to `command`, its value kept in `value` (DecodeLimits' default unless set).
void add_max_batch_option(CLI::App* command, int& value);

// A whole number of bytes, optionally with a binary suffix K, M or G (2^10, 2^20, 2^30), e.g.
// 2G or 1536M; empty gives half the machine's memory. Error naming --kv-memory otherwise, or
// when it is 0.
int64_t parse_kv_memory(const std::string& text);

}  // namespace foresight::cli
