#include "eval/throughput.hpp"

#include <chrono>
#include <memory>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "engine/generate.hpp"

namespace foresight {

namespace {

constexpr int kPoolEntries = 1024;  // distinct synthetic (key, value) pairs, reused in turn

int64_t reserved_bytes(const ModelConfig& c, const PolicyRun& run, int length) {
  GenerateSettings g;
  g.policy = run.impl;
  g.schedule = run.schedule;
  g.max_new_tokens = length - 1;
  return reserved_kv_entries(g, 1) * c.kv_bytes_per_token();
}

// Puts `seq` just before `position` with the cache the schedule leaves there, its keys and
// values taken from the synthetic pool ([kPoolEntries, 2, head_dim]).
void fill_cache(Sequence& seq, int64_t position, const std::vector<float>& pool, int head_dim) {
  const int64_t count = seq.settings().schedule.entries_before(position);
  KvCache& cache = seq.cache();
  for (int layer = 0; layer < cache.n_layers(); ++layer)
    for (int h = 0; h < cache.n_kv_heads(); ++h) {
      HeadCache& head = cache.head(layer, h);
      for (int64_t e = 0; e < count; ++e) {
        const float* kv = pool.data() + (e + layer + h) % kPoolEntries * 2 * head_dim;
        head.append(kv, kv + head_dim, static_cast<int32_t>(position - count + e));
      }
    }
  seq.advance(position);  // from a fresh sequence's 0
}

double steady_state_tokens_per_s(const Model& model, const PolicyRun& run, int length, int batch,
                                 const ThroughputSettings& s) {
  const ModelConfig& c = model.config();
  Rng rng(s.seed);
  std::vector<float> pool(size_t(kPoolEntries) * 2 * c.head_dim);
  for (float& v : pool) v = static_cast<float>(rng.normal());
  const int64_t span = length - s.warmup_steps - s.steps;
  const int64_t reserve = reserved_bytes(c, run, length) / c.kv_bytes_per_token();
  std::vector<std::unique_ptr<Sequence>> owned;
  std::vector<Sequence*> sequences;
  std::vector<Sampler> samplers;
  std::vector<int32_t> ids;
  for (int i = 0; i < batch; ++i) {
    owned.push_back(std::make_unique<Sequence>(
        c, SequenceSettings{
               .schedule = run.schedule, .policy = run.impl, .seed = s.seed + uint64_t(i)}));
    owned.back()->cache().reserve(static_cast<int>(reserve));
    fill_cache(*owned.back(), (2 * int64_t(i) + 1) * span / (2 * int64_t(batch)), pool, c.head_dim);
    sequences.push_back(owned.back().get());
    samplers.emplace_back(SamplingSettings{});  // greedy
    ids.push_back(static_cast<int32_t>(rng.next() % uint64_t(c.vocab)));
  }
  std::chrono::steady_clock::time_point start;
  for (int step = 0; step < s.warmup_steps + s.steps; ++step) {
    if (step == s.warmup_steps) start = std::chrono::steady_clock::now();
    const std::vector<float> logits = forward_batch(model, sequences, ids);
    for (int i = 0; i < batch; ++i)
      ids[i] = samplers[i].sample(std::span(logits).subspan(size_t(i) * c.vocab, size_t(c.vocab)));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return double(batch) * s.steps / seconds;
}

void check_settings(const ModelConfig& c, const ThroughputSettings& s) {
  if (s.steps < 1) fail_field("steps", " must be >= 1, got {}", s.steps);
  if (s.warmup_steps < 0) fail_field("warmup", " must be >= 0, got {}", s.warmup_steps);
  if (s.lengths.empty()) fail_field("lengths", ": no generation lengths");
  if (s.kv_memory < 1) fail_field("kv_memory", " must be a positive number of bytes");
  bool has_full = false;
  for (const PolicyRun& run : s.runs) {
    require_online(run.impl.get());
    has_full = has_full || run.impl == nullptr;
  }
  if (!has_full)
    fail_field("policies", " must include full: the speed-ups are measured against it");
  for (int length : s.lengths) {
    if (length <= s.warmup_steps + s.steps)
      fail_field("lengths", ": {} is not longer than the {} warm-up and {} timed steps", length,
                 s.warmup_steps, s.steps);
    for (const PolicyRun& run : s.runs)
      if (reserved_bytes(c, run, length) > s.kv_memory)
        fail_field("kv_memory",
                   " {} bytes cannot hold even one sequence of {} at length {}: it reserves "
                   "{} bytes",
                   s.kv_memory, run_label(run), length, reserved_bytes(c, run, length));
  }
}

}  // namespace

std::vector<ThroughputRow> measure_throughput(const Model& model, const ThroughputSettings& s,
                                              Progress* progress) {
  const ModelConfig& c = model.config();
  check_settings(c, s);
  std::vector<ThroughputRow> rows;
  for (int length : s.lengths) {
    const size_t first = rows.size();
    for (const PolicyRun& run : s.runs) {
      ThroughputRow row{run.policy, run.budget, length,
                        static_cast<int>(s.kv_memory / reserved_bytes(c, run, length))};
      row.tokens_per_s = steady_state_tokens_per_s(model, run, length, row.max_batch, s);
      rows.push_back(row);
      if (progress) progress->advance();
    }
    double full = 0;
    for (size_t i = first; i < rows.size(); ++i)
      if (!rows[i].budget) full = rows[i].tokens_per_s;
    for (size_t i = first; i < rows.size(); ++i) rows[i].speedup = rows[i].tokens_per_s / full;
  }
  return rows;
}

std::string throughput_markdown(const std::vector<ThroughputRow>& rows) {
  std::string md =
      "| length | policy | budget | max batch | tokens/s | speed-up |\n"
      "| --- | --- | --- | --- | --- | --- |\n";
  for (const ThroughputRow& r : rows)
    md += fmt::format("| {} | {} | {} | {} | {:.1f} | {:.2f}x |\n", r.length, r.policy,
                      r.budget ? std::to_string(*r.budget) : "—", r.max_batch, r.tokens_per_s,
                      r.speedup);
  return md;
}

Json throughput_json(const std::vector<ThroughputRow>& rows) {
  Json out = Json::array();
  for (const ThroughputRow& r : rows)
    out.push_back({{"policy", r.policy},
                   {"budget", r.budget ? Json(*r.budget) : Json(nullptr)},
                   {"length", r.length},
                   {"max_batch", r.max_batch},
                   {"tokens_per_s", r.tokens_per_s},
                   {"speedup", r.speedup}});
  return out;
}

}  // namespace foresight
