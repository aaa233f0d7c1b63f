#include "lm/trace_dataset.hpp"

#include <fstream>
#include <string>

#include "core/error.hpp"
#include "core/json_file.hpp"

namespace foresight {

int64_t TraceDataset::tokens() const {
  int64_t n = 0;
  for (const Example& e : examples) n += e.inputs();
  return n;
}

TraceDataset read_trace_dataset(std::span<const std::filesystem::path> files,
                                const Tokenizer& tokenizer, int32_t end_id, int64_t max_tokens,
                                const LiveMaskSettings& live_mask, uint64_t seed) {
  TraceDataset data;
  int64_t first_index = 0;  // of this file's first example
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("{}: cannot open file", path.string());
    // Lines are parsed in order, then tokenized in parallel (tokenizing dominates).
    std::vector<std::pair<std::string, std::string>> texts;
    std::string line;
    for (int64_t number = 1; std::getline(in, line); ++number) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const Json j = parse_json(line, fmt::format("{}:{}", path.string(), number));
      auto field = [&](const char* key) {
        auto it = j.is_object() ? j.find(key) : j.end();
        if (it == j.end() || !it->is_string())
          fail("{}:{}: '{}' must be a string field of a JSON object", path.string(), number, key);
        return it->get<std::string>();
      };
      texts.emplace_back(field("prompt"), field("trace"));
      if (texts.back().first.empty()) fail("{}:{}: 'prompt' is empty", path.string(), number);
    }
    if (in.bad()) fail("{}: read failed", path.string());
    std::vector<Example> examples(texts.size());
    std::vector<std::string> errors(texts.size());  // thrown inside the parallel loop
#pragma omp parallel for schedule(dynamic, 16)
    for (size_t i = 0; i < texts.size(); ++i) {
      Example& e = examples[i];
      e.ids = tokenizer.encode(texts[i].first);
      e.first_target = static_cast<int32_t>(e.ids.size());
      const auto trace = tokenizer.encode(texts[i].second);
      e.ids.insert(e.ids.end(), trace.begin(), trace.end());
      e.ids.push_back(end_id);
      const int64_t budget = live_mask_budget(live_mask, seed, first_index + int64_t(i));
      if (budget == 0) continue;
      const std::string text = texts[i].first + texts[i].second;
      if (e.inputs() != int64_t(text.size())) {
        errors[i] = "data.live_mask needs one token a character (a byte-level tokenizer)";
        continue;
      }
      try {
        e.visible_until = live_mask_limits(text, budget, live_mask.every);
      } catch (const std::exception& error) {
        errors[i] = error.what();
      }
    }
    for (size_t i = 0; i < errors.size(); ++i)
      if (!errors[i].empty()) fail("{}: example {}: {}", path.string(), i + 1, errors[i]);
    first_index += int64_t(texts.size());
    for (Example& e : examples) {
      if (e.inputs() > max_tokens) ++data.dropped;
      else data.examples.push_back(std::move(e));
    }
  }
  return data;
}

}  // namespace foresight
