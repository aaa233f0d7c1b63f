#include <algorithm>
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/thread_pinning.hpp"
#include "dist/cluster.hpp"

namespace {

// The library names a setting as its field (`max_new_tokens`); the CLI as its flag.
std::string flag_message(const foresight::FieldError& e) {
  std::string flag = "--" + e.field();
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag + e.rest();
}

// A failed rank of an mpirun ends the whole job (the others would wait for it forever).
int failed(int code) {
  const foresight::Cluster& cluster = foresight::Cluster::world();
  if (cluster.size() > 1) {
    std::fprintf(stderr, "foresight: rank %d of %d failed; ending the job\n", cluster.rank(),
                 cluster.size());
    cluster.abort(code);
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  foresight::Cluster::world();  // before any thread starts
  foresight::pin_threads();
  CLI::App app{"foresight: learned KV-cache eviction for reasoning language models"};
  app.require_subcommand(1);
  foresight::cli::add_info_command(app);
  foresight::cli::add_policies_command(app);
  foresight::cli::add_generate_command(app);
  foresight::cli::add_tokenize_command(app);
  foresight::cli::add_random_model_command(app);
  foresight::cli::add_score_command(app);
  foresight::cli::add_eval_command(app);
  foresight::cli::add_traces_command(app);
  foresight::cli::add_tasks_command(app);
  foresight::cli::add_train_lm_command(app);
  foresight::cli::add_judge_init_command(app);
  foresight::cli::add_train_judge_command(app);
  foresight::cli::add_throughput_command(app);
  foresight::cli::add_serve_command(app);
  foresight::cli::add_export_gguf_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const foresight::FieldError& e) {
    std::fprintf(stderr, "foresight: error: %s\n", flag_message(e).c_str());
    return failed(1);
  } catch (const foresight::Error& e) {
    std::fprintf(stderr, "foresight: error: %s\n", e.what());
    return failed(1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "foresight: internal error: %s\n", e.what());
    return failed(2);
  }
  return 0;
}
