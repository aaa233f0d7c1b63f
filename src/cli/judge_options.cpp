#include "cli/judge_options.hpp"

namespace foresight::cli {

void add_judge_options(CLI::App* cmd, PolicyOptions& o) {
  cmd->add_option("--judge", o.judges,
                  "judge file of --policy foresight (.safetensors); LABEL=FILE gives the judge "
                  "of foresight-LABEL (repeat to compare judges in one run)");
  cmd->add_option("--judge-mode", o.judge_mode,
                  "foresight's evictions: sample (top 2k, softmax, "
                  "draw k) or topk (the k highest)")
      ->capture_default_str();
}

}  // namespace foresight::cli
