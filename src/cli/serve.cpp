#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/commands.hpp"
#include "cli/judge_options.hpp"
#include "cli/kv_memory_option.hpp"
#include "cli/weights_option.hpp"
#include "core/error.hpp"
#include "serve/server.hpp"

namespace foresight::cli {

namespace {

int signal_pipe[2];  // SIGTERM and SIGINT write to [1]; the drainer reads [0]

struct Options {
  std::string model, kv_memory, policy = "full", sinks, weights;
  ServeOptions serve;
};

void run(Options o) {
  auto model = Model::load(o.model, load_options(o.weights));
  const Tokenizer tokenizer = Tokenizer::for_model(o.model);
  ServeOptions& s = o.serve;
  s.limits.kv_memory = parse_kv_memory(o.kv_memory);
  s.defaults.policy = o.policy;
  s.defaults.sinks = o.sinks;
  s.model_id = std::filesystem::path(o.model).filename().string();
  if (s.model_id.empty())
    s.model_id = std::filesystem::path(o.model).parent_path().filename().string();
  // A key on the command line shows in the process list; the environment does not.
  if (const char* key = std::getenv("FORESIGHT_API_KEY"); key && s.api_key.empty()) s.api_key = key;

  // SIGTERM and SIGINT drain the server rather than kill it: the handler (run by whichever
  // thread the signal lands on, OpenMP's included) only writes to a pipe that a thread of ours
  // waits on. A client gone mid-write must not kill it either.
  if (::pipe(signal_pipe) != 0) fail("serve: cannot create a pipe for signals");
  struct sigaction action {};
  action.sa_handler = [](int) { (void)!::write(signal_pipe[1], "x", 1); };
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Server server(*model, tokenizer, s);
  const int port = server.bind();
  std::fprintf(
      stderr, "foresight serve: listening on http://%s:%d (model %s, kv-memory %lld bytes)\n",
      s.host.c_str(), port, s.model_id.c_str(), static_cast<long long>(s.limits.kv_memory));
  std::thread drainer([&] {
    char byte = 0;
    while (::read(signal_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    std::fprintf(stderr, "foresight serve: draining the running requests\n");
    server.shutdown();
  });
  server.run();
  (void)!::write(signal_pipe[1], "x", 1);  // ends the drainer when run() ended without a signal
  drainer.join();
  std::fprintf(stderr, "foresight serve: stopped\n");
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "serve the model over an OpenAI-compatible HTTP API");
  auto o = std::make_shared<Options>();
  ServeOptions& s = o->serve;
  cmd->add_option("--model", o->model, "model directory or GGUF file")->required();
  add_weights_option(cmd, o->weights);
  cmd->add_option("--host", s.host, "address to listen on")->capture_default_str();
  cmd->add_option("--port", s.port, "port to listen on (0: any free one)")->capture_default_str();
  add_kv_memory_option(cmd, o->kv_memory);
  add_max_batch_option(cmd, s.limits.max_sequences);
  cmd->add_option("--policy", o->policy, "eviction policy of requests without kv_policy")
      ->capture_default_str();
  add_judge_options(cmd, s.defaults.policy_options);
  cmd->add_option("--budget", s.defaults.budget, "budget of requests without kv_budget");
  cmd->add_option("--evict-every", s.defaults.evict_every, "eviction length L")
      ->capture_default_str();
  cmd->add_option("--sinks", o->sinks, "first tokens never evicted: N or 'prompt'");
  cmd->add_option("--max-tokens", s.defaults.max_tokens,
                  "tokens generated for requests without max_tokens")
      ->capture_default_str();
  cmd->add_option("--max-queue", s.max_queue,
                  "requests waiting for room at most; more are refused (503)")
      ->capture_default_str();
  cmd->add_option("--max-body", s.max_body, "bytes of a request body at most (413 beyond)")
      ->capture_default_str();
  cmd->add_option("--api-key", s.api_key,
                  "bearer key the /v1 endpoints require (or FORESIGHT_API_KEY)");
  cmd->callback([o] { run(*o); });
}

}  // namespace foresight::cli
