// Prefill and decode speed of a ~100M-parameter random model, against the memory-bandwidth
// bound measured in the same run: decoding one token must stream every weight (and the KV
// cache) from memory once, so tokens/s can be at most bandwidth / bytes per token.
//
// usage: engine_bench [--model DIR|FILE.gguf] [--weights LIST] [--prompt N] [--decode N]
//                     [--rounds N]
// --weights: comma-separated types to time the model in, each converted at load (f32, bf16,
// f16, q8_0), or `stored` (default: stored,f32).
#include <cstdio>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <omp.h>

#include "bench_util.hpp"
#include "core/error.hpp"
#include "core/thread_pinning.hpp"
#include "engine/transformer.hpp"

using namespace foresight;
using bench::now;

namespace {

// Read bandwidth in bytes/s: all threads sum disjoint parts of a buffer far larger than the
// caches; best of several passes.
double read_bandwidth() {
  const size_t n = size_t{1} << 28;  // 1 GiB of floats
  std::vector<float> buf(n, 1.0f);
  double best = 0;
  for (int pass = 0; pass < 5; ++pass) {
    const double t0 = now();
    float total = 0;
#pragma omp parallel for reduction(+ : total) schedule(static)
    for (size_t i = 0; i < n; i += 8) {
      total += buf[i] + buf[i + 1] + buf[i + 2] + buf[i + 3] + buf[i + 4] + buf[i + 5] +
               buf[i + 6] + buf[i + 7];
    }
    const double t = now() - t0;
    if (total != float(n)) std::fprintf(stderr, "bandwidth check sum off: %g\n", total);
    best = std::max(best, double(n) * sizeof(float) / t);
  }
  return best;
}

struct Speed {
  double prefill_tok_s = 0, decode_tok_s = 0, bytes_per_token = 0;
};

// Best of `rounds`, after an untimed warm-up (thread pools, the first touch of the weights):
// this machine is shared, and the fastest round is the one least disturbed.
Speed measure(const Model& model, int prompt_len, int decode_len, int rounds) {
  const ModelConfig& c = model.config();
  std::vector<int32_t> prompt(prompt_len);
  for (int i = 0; i < prompt_len; ++i) prompt[i] = (i * 7919 + 13) % c.vocab;
  Sequence warm_up(c);
  forward_chunk(model, warm_up, std::span(prompt).first(std::min(prompt_len, 16)),
                LogitsWanted::Last);
  Speed best;
  for (int round = 0; round < rounds; ++round) {
    Sequence seq(c);
    double t0 = now();
    forward_chunk(model, seq, prompt, LogitsWanted::Last);
    best.prefill_tok_s = std::max(best.prefill_tok_s, prompt_len / (now() - t0));
    int32_t token = 1;
    t0 = now();
    for (int i = 0; i < decode_len; ++i) {
      token = (token * 31 + 7) % c.vocab;
      forward_chunk(model, seq, std::span(&token, 1), LogitsWanted::Last);
    }
    best.decode_tok_s = std::max(best.decode_tok_s, decode_len / (now() - t0));
  }
  // Weights stream once per token; the KV cache read grows from prompt_len to the end.
  const double mean_context = prompt_len + decode_len / 2.0;
  best.bytes_per_token =
      double(model.weight_bytes()) + mean_context * double(c.kv_bytes_per_token());
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  pin_threads();
  std::string model_dir, weights = "stored,f32";
  int prompt_len = 512, decode_len = 32, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--model") model_dir = argv[i + 1];
    else if (flag == "--weights") weights = argv[i + 1];
    else if (flag == "--prompt") prompt_len = std::stoi(argv[i + 1]);
    else if (flag == "--decode") decode_len = std::stoi(argv[i + 1]);
    else if (flag == "--rounds") rounds = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 1;
    }
  }
  try {
    model_dir = bench::model_or_random_100m(model_dir);
    const double bandwidth = read_bandwidth();
    std::printf("threads %d, measured read bandwidth %.2f GB/s\n", omp_get_max_threads(),
                bandwidth / 1e9);
    std::printf("%-24s %12s %12s %14s %12s %8s\n", "weights", "prefill t/s", "decode t/s",
                "MB/token", "bound t/s", "ratio");
    std::istringstream list(weights);
    for (std::string type; std::getline(list, type, ',');) {
      std::optional<DType> to;
      if (type != "stored" && !parse_matrix_dtype(type, &to.emplace()))
        fail("--weights: unknown type '{}' (stored, f32, bf16, f16, q8_0)", type);
      auto model = Model::load(model_dir, LoadOptions{.weights = to});
      const Speed s = measure(*model, prompt_len, decode_len, rounds);
      const double bound = bandwidth / s.bytes_per_token;
      const std::string name =
          std::string(dtype_name(model->weight_dtype())) + (to ? " (converted at load)" : "");
      std::printf("%-24s %12.1f %12.2f %14.1f %12.2f %7.0f%%\n", name.c_str(), s.prefill_tok_s,
                  s.decode_tok_s, s.bytes_per_token / 1e6, bound, 100 * s.decode_tok_s / bound);
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "engine_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
