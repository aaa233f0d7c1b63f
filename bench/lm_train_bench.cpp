// Training speed of the C++ trainer on a fixed batch of mixed-length sequences: tokens per
// second over `steps` optimisation steps (forward, backward, clip, AdamW) after one untimed
// step. Defaults: the suggested bundled model (6 layers of width 256, GQA 4/2 of head_dim 64,
// 4.8M parameters) and a batch of traces as long as the reasoning traces it trains on (eight
// of 256 to 2048 tokens, 7680 in all). With --out it also writes the initial model and the batch,
// so that tests/reference/lm_train.py can run the same steps in PyTorch from the same weights; the
// losses of every step are printed for that comparison. bench/lm_train_bench.sh runs both.
//
// usage: lm_train_bench [--layers N] [--hidden N] [--heads N] [--kv-heads N] [--head-dim N]
//                       [--intermediate N] [--lengths 512,256,...] [--steps N] [--lr X]
//                       [--seed N] [--out DIR]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <omp.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/rng.hpp"
#include "lm/train_step.hpp"

using namespace foresight;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds of all the process's threads: on a shared machine, the work a step costs,
// whatever share of the cores it got.
double cpu_now() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::vector<int> parse_list(const std::string& text) {
  std::vector<int> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    out.push_back(std::stoi(text.substr(begin, end - begin)));
    begin = end + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  LmShape shape;
  shape.layers = 6, shape.hidden = 256, shape.heads = 4, shape.kv_heads = 2, shape.head_dim = 64;
  shape.intermediate = 768;
  std::vector<int> lengths = {2048, 1536, 1024, 1024, 768, 512, 512, 256};
  int steps = 3;
  double lr = 3e-4;
  uint64_t seed = 1;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) fail("{}: missing value", a);
    const std::string v = argv[++i];
    if (a == "--layers") shape.layers = std::stoi(v);
    else if (a == "--hidden") shape.hidden = std::stoi(v);
    else if (a == "--heads") shape.heads = std::stoi(v);
    else if (a == "--kv-heads") shape.kv_heads = std::stoi(v);
    else if (a == "--head-dim") shape.head_dim = std::stoi(v);
    else if (a == "--intermediate") shape.intermediate = std::stoi(v);
    else if (a == "--lengths") lengths = parse_list(v);
    else if (a == "--steps") steps = std::stoi(v);
    else if (a == "--lr") lr = std::stod(v);
    else if (a == "--seed") seed = std::stoull(v);
    else if (a == "--out") out = v;
    else fail("unknown option {}", a);
  }
  const ModelConfig config = shape.model_config();
  LmParameters params = init_parameters(config, 0.02, seed);

  // Token streams with some structure (a noisy cyclic pattern per sequence), the first
  // quarter of each sequence a prompt without loss, as in the training data.
  Rng rng(seed + 1);
  Batch batch;
  Json sequences = Json::array();
  int max_length = 0;
  for (int len : lengths) {
    std::vector<int32_t> ids(static_cast<size_t>(len) + 1);
    const int period = 3 + int(rng.next() % 13);
    for (int t = 0; t <= len; ++t)
      ids[t] = rng.uniform() < 0.1 ? int32_t(rng.next() % 256) : int32_t(32 + (t % period) * 5);
    const int first_target = std::max(1, len / 4);
    batch.add(ids, first_target);
    sequences.push_back({{"ids", ids}, {"first_target", first_target}});
    max_length = std::max(max_length, len);
  }
  if (!out.empty()) {
    write_hf_model(std::filesystem::path(out) / "model", params);
    write_file_atomic(std::filesystem::path(out) / "batch.json",
                      Json{{"sequences", sequences}, {"lr", lr}, {"steps", steps}}.dump() + "\n");
  }

  BatchRunner runner(config, max_length);
  AdamW optimizer = make_adamw(params.layout, {});
  std::vector<float> grads;
  std::vector<double> losses, seconds, cpu_seconds;
  for (int step = 0; step <= steps; ++step) {  // step 0 is untimed (first-touch allocations)
    const double t0 = now(), c0 = cpu_now();
    const StepResult r = train_step(runner, params, optimizer, grads, batch, lr, 1.0);
    if (step > 0) seconds.push_back(now() - t0), cpu_seconds.push_back(cpu_now() - c0);
    losses.push_back(r.loss);
  }
  double elapsed = 0;
  for (double s : seconds) elapsed += s;
  const double tok_s = double(batch.rows()) * steps / elapsed;
  std::printf("%s\n", Json{{"implementation", "foresight"},
                           {"threads", omp_get_max_threads()},
                           {"parameters", params.layout.size()},
                           {"tokens_per_step", batch.rows()},
                           {"tokens_per_second", tok_s},
                           {"step_seconds", seconds},
                           {"step_cpu_seconds", cpu_seconds},
                           {"losses", losses}}
                          .dump()
                          .c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "lm_train_bench: error: %s\n", e.what());
  return 1;
}
