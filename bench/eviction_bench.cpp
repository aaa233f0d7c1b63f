// Decode cost as the trace grows, for the full cache and for budgeted policies, on a ~100M
// random model in one run: per-token decode time at several lengths (the full cache's grows
// with the context, a budgeted cache's should stay flat), and the share of decode time spent
// scoring candidates and compacting the cache.
//
// usage: eviction_bench [--model DIR] [--lengths 1024,4096,16384] [--policies full,h2o,snapkv]
//                       [--budget 1024] [--evict-every 128] [--decode 256]
//                       [--judge FILE [--judge-mode sample|topk]]  (for --policies foresight)
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <omp.h>

#include "bench_util.hpp"
#include "core/error.hpp"
#include "core/thread_pinning.hpp"
#include "engine/transformer.hpp"
#include "eval/policy_grid.hpp"

using namespace foresight;
using bench::now;

namespace {

struct Point {
  double ms_per_token = 0, eviction_share = 0;
};

// Feeds tokens so the sequence reaches each length, then times `decode` single-token steps
// just past it (spanning decode / L evictions).
std::vector<Point> measure(const Model& model, const PolicyRun& run,
                           const std::vector<int>& lengths, int decode, int64_t* peak_kv_bytes) {
  const ModelConfig& c = model.config();
  Sequence seq(c, {.schedule = run.schedule, .policy = run.impl, .seed = 1});
  auto token = [&](int64_t position) { return int32_t((position * 7919 + 13) % c.vocab); };
  std::vector<Point> points;
  for (int length : lengths) {
    std::vector<int32_t> fill;
    for (int64_t p = seq.next_position(); p < length; ++p) fill.push_back(token(p));
    if (!fill.empty()) forward_tokens(model, seq, fill, LogitsWanted::Last);
    auto step = [&] {
      const int32_t id = token(seq.next_position());
      forward_chunk(model, seq, std::span(&id, 1), LogitsWanted::Last);
    };
    for (int i = 0; i < 8; ++i) step();  // untimed: let the prefill's threads settle
    const double evicting_before = seq.stats().eviction_seconds, t0 = now();
    for (int i = 0; i < decode; ++i) step();
    const double seconds = now() - t0;
    const double evicting = seq.stats().eviction_seconds - evicting_before;
    points.push_back({1e3 * seconds / decode, evicting / seconds});
  }
  *peak_kv_bytes = seq.stats().peak_kv_bytes;
  return points;
}

std::vector<int> parse_lengths(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoi(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  pin_threads();
  std::string model_dir, lengths_text = "1024,4096,16384", policies = "full,h2o,snapkv";
  PolicyOptions options;
  int budget = 1024, evict_every = 128, decode = 256;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model") model_dir = value;
    else if (flag == "--lengths") lengths_text = value;
    else if (flag == "--policies") policies = value;
    else if (flag == "--budget") budget = std::stoi(value);
    else if (flag == "--evict-every") evict_every = std::stoi(value);
    else if (flag == "--decode") decode = std::stoi(value);
    else if (flag == "--judge") options.judges = {value};
    else if (flag == "--judge-mode") options.judge_mode = value;
    else {
      std::fprintf(stderr, "eviction_bench: unknown option %s\n", flag.c_str());
      return 1;
    }
  }
  try {
    const auto model = Model::load(bench::model_or_random_100m(model_dir));
    const std::vector<int> lengths = parse_lengths(lengths_text);
    options.model = &model->config();
    const auto runs = policy_grid(policies, std::to_string(budget), evict_every, "", options);
    std::printf("threads %d, B = %d, L = %d, %d decode steps per length\n", omp_get_max_threads(),
                budget, evict_every, decode);
    std::printf("%-12s", "policy");
    for (int length : lengths) std::printf(" %9d ms", length);
    std::printf(" %10s %10s %12s\n", "last/first", "evicting", "peak KV MiB");
    for (const PolicyRun& run : runs) {
      int64_t peak = 0;
      const auto points = measure(*model, run, lengths, decode, &peak);
      double evicting = 0;
      std::printf("%-12s", run_label(run).c_str());
      for (const Point& p : points)
        std::printf(" %12.2f", p.ms_per_token), evicting += p.eviction_share;
      std::printf(" %10.2f %9.2f%% %12.1f\n",
                  points.back().ms_per_token / points.front().ms_per_token,
                  100 * evicting / double(points.size()), double(peak) / (1 << 20));
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "eviction_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
