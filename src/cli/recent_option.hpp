// --recent: how many of the newest tokens no eviction touches (the commands that evict).
#pragma once
#include <string>

#include <CLI/CLI.hpp>

namespace foresight::cli {

// Adds --recent to `command`, its text kept in `text` for EvictionSchedule::set_recent.
void add_recent_option(CLI::App* command, std::string& text);

}  // namespace foresight::cli
