#include <cstdio>

#include "cli/commands.hpp"
#include "policy/policy.hpp"

namespace foresight::cli {

void add_policies_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "policies", "list the eviction policies, what each keeps, and their parameters");
  cmd->callback([] {
    std::fputs(policy_help().c_str(), stdout);
    std::puts(
        "\nParameters follow a policy's name after a colon, e.g. --policy snapkv:window=16,kernel=5;\n"
        "a name ending in +prompt (streaming+prompt, snapkv+prompt:window=16) protects every prompt token.");
  });
}

}  // namespace foresight::cli
