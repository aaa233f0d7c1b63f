// The evaluation's speed on the bundled model against the fp32 GEMM peak measured in the same
// run: what `foresight eval` does (greedy generations of benchmark problems as one continuous
// batch), for the full cache and for a budgeted policy, as generated tokens/s and as the share
// of the peak its arithmetic reaches. The peak is OpenBLAS's sgemm on square matrices that fit
// the caches, with every thread: the most this machine's cores do in fp32.
//
// Arithmetic counted per token run through the model (prefill and decoding alike): 2 FLOP per
// weight of every matrix product (the LM head included, the embedding lookup not), and
// 4 * head_dim FLOP per query head, layer and key attended (scores and the weighted sum of the
// values). Keys attended: the tokens before it for the full cache; under a budget at most B + L,
// counted as min(position, B + L / 2), the cache's mean size between evictions.
//
// usage: eval_bench [--model DIR] [--dataset FILE] [--limit N] [--policy P] [--budget B]
//                   [--evict-every L] [--max-new-tokens N] [--rounds N]
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <cblas.h>
#include <omp.h>

#include "bench_util.hpp"
#include "core/error.hpp"
#include "core/thread_pinning.hpp"
#include "eval/accuracy_eval.hpp"
#include "eval/policy_grid.hpp"

using namespace foresight;
using bench::now;

namespace {

// fp32 FLOP/s of sgemm on n x n matrices, best of `rounds`.
double sgemm_peak(int n, int rounds) {
  std::vector<float> a(size_t(n) * n, 0.5f), b(a), c(a.size());
  double best = 0;
  for (int r = 0; r < rounds; ++r) {
    const double t0 = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n,
                0.0f, c.data(), n);
    best = std::max(best, 2.0 * n * n * double(n) / (now() - t0));
  }
  return best;
}

// FLOP of one token at `position` (0-based) attending `keys` keys.
double token_flops(const ModelConfig& c, double keys) {
  const double q = double(c.n_heads) * c.head_dim, kv = double(c.n_kv_heads) * c.head_dim;
  const double per_layer = c.hidden * (q + 2 * kv) + q * c.hidden + 3.0 * c.hidden * c.intermediate;
  const double weights = c.n_layers * per_layer + double(c.vocab) * c.hidden;
  return 2 * weights + 4.0 * c.head_dim * c.n_heads * c.n_layers * keys;
}

struct Speed {
  double seconds = 0, generated = 0, flops = 0;
};

Speed run_eval(const Model& model, const Tokenizer& tokenizer,
               const std::vector<TaskProblem>& problems, const PolicyRun& run, int max_new_tokens) {
  AccuracySettings s;
  s.runs = {run};
  s.max_new_tokens = max_new_tokens;
  const double t0 = now();
  const AccuracyResult result = evaluate_accuracy(model, tokenizer, problems, s, nullptr);
  Speed speed;
  speed.seconds = now() - t0;
  const double cap = run.budget ? *run.budget + run.schedule.evict_every / 2.0 : 1e300;
  std::vector<int64_t> prompt_tokens;
  for (const TaskProblem& p : problems)
    prompt_tokens.push_back(int64_t(tokenizer.encode(p.prompt).size()));
  for (const SampleOutcome& o : result.samples) {
    const int64_t prompt = prompt_tokens[size_t(o.problem)];
    // the last generated token is sampled but never run through the model
    for (int64_t p = 0; p < prompt + o.generated_tokens - 1; ++p)
      speed.flops += token_flops(model.config(), std::min(double(p + 1), cap));
    speed.generated += o.generated_tokens;
  }
  return speed;
}

}  // namespace

int main(int argc, char** argv) {
  pin_threads();
  std::string model_dir = "models/bundled_v1", dataset = "benchmarks/tasks_v1.jsonl";
  std::string policy = "h2o";
  int limit = 24, budget = 488, evict_every = 32, max_new_tokens = 3072, rounds = 2;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "eval_bench: %s needs a value\n", argv[i]);
      return 2;
    }
    const std::string value = argv[i + 1];
    if (flag == "--model") model_dir = value;
    else if (flag == "--dataset") dataset = value;
    else if (flag == "--limit") limit = std::stoi(value);
    else if (flag == "--policy") policy = value;
    else if (flag == "--budget") budget = std::stoi(value);
    else if (flag == "--evict-every") evict_every = std::stoi(value);
    else if (flag == "--max-new-tokens") max_new_tokens = std::stoi(value);
    else if (flag == "--rounds") rounds = std::stoi(value);
    else {
      std::fprintf(stderr, "eval_bench: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  try {
    const auto model = Model::load(model_dir);
    const Tokenizer tokenizer =
        Tokenizer::load(std::filesystem::path(model_dir) / "tokenizer.json");
    std::vector<TaskProblem> problems = read_dataset(dataset);
    if (limit > 0 && size_t(limit) < problems.size()) problems.resize(size_t(limit));
    const ModelConfig& config = model->config();
    PolicyOptions options;
    options.model = &config;
    const std::vector<PolicyRun> runs =
        policy_grid("full," + policy, std::to_string(budget), evict_every, "", options);

    const double peak = sgemm_peak(1024, 5);
    std::printf("%s, %zu problems of %s, %d threads; fp32 sgemm peak %.1f GFLOP/s\n",
                model_dir.c_str(), problems.size(), dataset.c_str(), omp_get_max_threads(),
                peak / 1e9);
    std::printf("%-12s %12s %10s %12s %10s\n", "run", "generated", "tok/s", "GFLOP/s", "of peak");
    for (const PolicyRun& run : runs) {
      Speed best;
      for (int r = 0; r < rounds; ++r) {  // best of the rounds: the least disturbed one
        const Speed s = run_eval(*model, tokenizer, problems, run, max_new_tokens);
        if (best.seconds == 0 || s.seconds < best.seconds) best = s;
      }
      const double rate = best.flops / best.seconds;
      std::printf("%-12s %12.0f %10.0f %12.1f %9.1f%%\n", run_label(run).c_str(), best.generated,
                  best.generated / best.seconds, rate / 1e9, 100 * rate / peak);
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "eval_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
