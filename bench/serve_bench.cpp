// `foresight serve` under load, over loopback: clients stream 2K-token completions at once
// through one server whose KV memory is capped, once with the full cache and once per budget,
// all in one run so the ratios compare like with like. A budget reserves B + L entries per
// (layer, KV head) instead of prompt + max_tokens, so more requests fit under the cap at once;
// the table shows what that buys in requests/s and tokens/s, and what it costs in time to first
// token (waiting for room) and per output token (a larger batch per step).
//
// usage: serve_bench [--model DIR] [--kv-memory BYTES] [--tokens N] [--requests N]
//                    [--policy P] [--budgets B,B] [--evict-every L]
#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "eval/policy_grid.hpp"
#include "serve/server.hpp"

using namespace foresight;
using bench::now;

namespace {

struct Options {
  std::string model, policy = "h2o", budgets = "256,512";
  int64_t kv_memory = int64_t{1} << 30;
  int tokens = 2048, requests = 32, evict_every = 128;
};

struct Timing {
  double first = 0, end = 0;  // seconds from the request's start
  int tokens = 0;
};

// One streamed completion, timed: the first chunk with text, the end, the tokens it counted.
Timing stream_one(int port, const Json& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(3600, 0);
  Timing t;
  const double start = now();
  std::string buffer;
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/completions";
  req.body = body.dump();
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    if (t.first == 0) t.first = now() - start;
    buffer.append(data, size);
    return true;
  };
  client.send(req);
  t.end = now() - start;
  const size_t usage = buffer.rfind("\"completion_tokens\":");
  if (usage != std::string::npos) t.tokens = std::atoi(buffer.c_str() + usage + 20);
  return t;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

void run(const Options& o) {
  const std::string dir = bench::model_or_random_100m(o.model);
  const auto model = Model::load(dir);
  const Tokenizer tokenizer = Tokenizer::load(std::filesystem::path(dir) / "tokenizer.json");
  std::printf("serve_bench: %d requests at once, %d tokens each, --kv-memory %lld, policy %s\n\n",
              o.requests, o.tokens, static_cast<long long>(o.kv_memory), o.policy.c_str());
  std::printf(
      "| run | requests/s | tokens/s | TTFT p50 ms | TTFT p99 ms | TPOT p50 ms | "
      "TPOT p99 ms | vs full |\n|---|---|---|---|---|---|---|---|\n");
  std::vector<std::pair<std::string, int>> runs = {{"full", 0}};
  for (int b : parse_budgets(o.budgets, "budgets")) runs.push_back({o.policy, b});
  double full_rate = 0;
  for (const auto& [policy, budget] : runs) {
    ServeOptions options;
    options.port = 0;
    options.limits.kv_memory = o.kv_memory;
    options.limits.max_sequences = 0;
    options.max_queue = size_t(o.requests);
    Server server(*model, tokenizer, options);
    const int port = server.bind();
    std::thread serving([&] { server.run(); });
    std::vector<Timing> timings(size_t(o.requests));
    std::vector<std::thread> clients;
    const double t0 = now();
    for (int i = 0; i < o.requests; ++i)
      clients.emplace_back([&, i, policy = policy, budget = budget] {
        Json body = {{"prompt", "Request " + std::to_string(i) + ": count on."},
                     {"max_tokens", o.tokens},
                     {"ignore_eos", true},
                     {"stream", true},
                     {"stream_options", {{"include_usage", true}}},
                     {"seed", i},
                     {"kv_policy", policy},
                     {"kv_evict_every", o.evict_every}};
        if (budget > 0) body["kv_budget"] = budget;
        timings[size_t(i)] = stream_one(port, body);
      });
    for (std::thread& c : clients) c.join();
    const double elapsed = now() - t0;
    server.shutdown();
    serving.join();
    std::vector<double> ttft, tpot;
    int64_t tokens = 0;
    for (const Timing& t : timings) {
      tokens += t.tokens;
      ttft.push_back(t.first * 1e3);
      if (t.tokens > 1) tpot.push_back((t.end - t.first) * 1e3 / (t.tokens - 1));
    }
    const double rate = double(tokens) / elapsed;
    if (budget == 0) full_rate = rate;
    const std::string label = budget ? policy + "@" + std::to_string(budget) : policy;
    std::printf("| %s | %.2f | %.0f | %.0f | %.0f | %.1f | %.1f | %.2fx |\n", label.c_str(),
                o.requests / elapsed, rate, percentile(ttft, 0.5), percentile(ttft, 0.99),
                percentile(tpot, 0.5), percentile(tpot, 0.99), rate / std::max(full_rate, 1e-9));
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model") o.model = value;
    else if (flag == "--kv-memory") o.kv_memory = std::stoll(value);
    else if (flag == "--tokens") o.tokens = std::stoi(value);
    else if (flag == "--requests") o.requests = std::stoi(value);
    else if (flag == "--policy") o.policy = value;
    else if (flag == "--budgets") o.budgets = value;
    else if (flag == "--evict-every") o.evict_every = std::stoi(value);
    else {
      std::fprintf(stderr, "serve_bench: unknown option %s\n", flag.c_str());
      return 1;
    }
  }
  try {
    run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "serve_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
