#include "cli/recent_option.hpp"

namespace foresight::cli {

void add_recent_option(CLI::App* command, std::string& text) {
  command->add_option("--recent", text,
                      "newest tokens never evicted: N, or P% of the budget (default: the "
                      "window a judge was trained beside, else the eviction length L); the "
                      "policy chooses among the older ones");
}

}  // namespace foresight::cli
