// Batched decoding: the row-independent product, continuous batching equal to generating each
// sequence alone (under eviction policies too), the memory cap, and refusals.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/gemm.hpp"
#include "core/rng.hpp"
#include "engine/generate.hpp"
#include "judge/judge_file.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

TEST(MatmulRowwise, EveryRowEqualsThatRowMultipliedAloneAndProductsFuse) {
  Rng rng(3);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16})
    // Whole 32-column blocks; a 16-column and a scalar tail; a scalar tail only.
    for (int64_t cols : {64, 100, 7}) {
      const int64_t rows = 37;
      std::vector<float> w_f32(size_t(rows * cols));
      for (float& v : w_f32) v = float(rng.normal());
      std::vector<uint16_t> w_half(w_f32.size());
      for (size_t i = 0; i < w_f32.size(); ++i)
        w_half[i] = dtype == DType::BF16 ? f32_to_bf16(w_f32[i]) : f32_to_f16(w_f32[i]);
      const Matrix w{dtype, rows, cols,
                     dtype == DType::F32 ? static_cast<const void*>(w_f32.data()) : w_half.data()};
      for (int64_t n : {1, 2, 3, 5, 8}) {
        std::vector<float> x(size_t(n * cols)), batched(size_t(n * rows)), alone(size_t{0} + rows);
        for (float& v : x) v = float(rng.normal());
        matmul_rowwise(w, x.data(), n, batched.data());
        for (int64_t j = 0; j < n; ++j) {
          matmul(w, x.data() + j * cols, 1, alone.data());
          for (int64_t r = 0; r < rows; ++r)
            ASSERT_EQ(batched[j * rows + r], alone[r])
                << dtype_name(dtype) << " cols " << cols << " n " << n << " row " << j << "," << r;
        }
        // Two products of the same rows in one pass give what each gives alone.
        const Matrix head{w.dtype, 11, cols, w.data};
        std::vector<float> fused_w(batched.size()), fused_head(size_t(n * 11)),
            head_alone(fused_head.size());
        matmul_rowwise({{w, fused_w.data()}, {head, fused_head.data()}}, x.data(), n);
        matmul_rowwise(head, x.data(), n, head_alone.data());
        EXPECT_EQ(fused_w, batched) << dtype_name(dtype) << " cols " << cols << " n " << n;
        EXPECT_EQ(fused_head, head_alone) << dtype_name(dtype) << " cols " << cols << " n " << n;
      }
    }
}

class BatchGenerateTest : public test::TinyModelTest {
 protected:
  // Requests of different prompt lengths, seeds and policies (full, h2o, streaming, foresight
  // sampling with a random judge), long enough that every budgeted one evicts; one stops early.
  std::vector<GenerateRequest> mixed_requests() {
    const ModelConfig& c = model->config();
    const std::string judge = (dir / "judge.safetensors").string();
    Judge init = Judge::random(JudgeShape::of(c), 1);
    for (float& p : init.parameters()) p *= 50;  // spread the scores so that draws matter
    write_judge(judge, init);
    const std::vector<std::string> policies = {"full", "h2o",  "streaming", "foresight",
                                               "h2o",  "full", "foresight"};
    prompts.clear();
    for (size_t i = 0; i < policies.size(); ++i)
      prompts.push_back(test::pattern_tokens(int(5 + 23 * i), 256, int(i)));
    std::vector<GenerateRequest> requests;
    for (size_t i = 0; i < policies.size(); ++i) {
      GenerateSettings s;
      s.max_new_tokens = 40 + 7 * int(i);
      s.prefill_chunk = 16;
      s.sampling = {0.9f, 20, 0.95f, 100 + i, 0};
      s.policy = make_policy(policies[i], PolicyOptions{{judge}, "sample", &c});
      s.schedule = {s.policy ? 24 : 0, 8, default_sinks(s.policy.get())};
      s.stop_ids = c.eos_ids;
      if (i == 2) s.stop_after = [](std::span<const int32_t> t) { return t.size() == 13; };
      requests.push_back({prompts[i], s});
    }
    return requests;
  }
  std::vector<std::vector<int32_t>> prompts;
};

TEST_F(BatchGenerateTest, BatchedEqualsEachSequenceAlone) {
  const auto requests = mixed_requests();
  std::vector<GenerateResult> alone;
  for (const GenerateRequest& r : requests) alone.push_back(generate(*model, r.prompt, r.settings));
  // Room for about three at a time, or two at most: sequences finish, free their caches and
  // are replaced.
  int64_t largest = 0;
  for (const GenerateRequest& r : requests)
    largest = std::max(largest, reserved_kv_bytes(model->config(), r));
  for (const DecodeLimits limits :
       {DecodeLimits{0}, DecodeLimits{3 * largest}, DecodeLimits{0, 2}}) {
    const auto batched = generate_batch(*model, requests, limits);
    ASSERT_EQ(batched.size(), requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      EXPECT_EQ(batched[i].tokens, alone[i].tokens)
          << "request " << i << ", cap " << limits.kv_memory << ", at most "
          << limits.max_sequences;
      EXPECT_EQ(batched[i].stopped, alone[i].stopped) << i;
      EXPECT_EQ(batched[i].evictions, alone[i].evictions) << i;
      EXPECT_EQ(batched[i].evicted_entries, alone[i].evicted_entries) << i;
      EXPECT_EQ(batched[i].peak_kv_bytes, alone[i].peak_kv_bytes) << i;
      if (requests[i].settings.policy) {
        EXPECT_GT(alone[i].evictions, 0) << i;
      }
    }
  }
  EXPECT_EQ(alone[2].tokens.size(), 13u);
}

TEST_F(BatchGenerateTest, AdmitsAsManyAsFitAndNeverExceedsTheCap) {
  const ModelConfig& c = model->config();
  const auto prompt = test::pattern_tokens(20, 256);
  std::vector<GenerateRequest> requests;
  for (int i = 0; i < 9; ++i) {
    GenerateSettings s;
    s.max_new_tokens = 10 + 5 * (i % 3);  // different lengths: slots free at different steps
    s.sampling.seed = uint64_t(i);
    if (i % 2 == 1) s.policy = make_policy("h2o"), s.schedule = {16, 8, 0};
    requests.push_back({prompt, s});
  }
  // Full: prompt + max_new_tokens entries; h2o: B + L = 24 entries.
  EXPECT_EQ(reserved_kv_entries(requests[0].settings, 20), 30);
  EXPECT_EQ(reserved_kv_entries(requests[1].settings, 20), 24);
  const int64_t cap = 3 * reserved_kv_bytes(c, requests[0]) + reserved_kv_bytes(c, requests[1]) / 2;
  std::set<size_t> live;
  int64_t most_live_bytes = 0;
  size_t most_live = 0;
  BatchCallbacks callbacks;
  callbacks.on_token = [&](size_t request, int32_t) {
    live.insert(request);
    int64_t bytes = 0;
    for (size_t r : live) bytes += reserved_kv_bytes(c, requests[r]);
    most_live_bytes = std::max(most_live_bytes, bytes);
    most_live = std::max(most_live, live.size());
  };
  callbacks.on_finished = [&](size_t request, const GenerateResult& result) {
    live.erase(request);
    EXPECT_LE(result.peak_kv_bytes, reserved_kv_bytes(c, requests[request])) << request;
  };
  const auto results = generate_batch(*model, requests, {cap}, callbacks);
  EXPECT_LE(most_live_bytes, cap);
  EXPECT_GE(most_live, 3u);  // at least three fit at once, and the scheduler runs them together
  for (size_t i = 0; i < results.size(); ++i)
    EXPECT_EQ(results[i].tokens.size(), size_t(requests[i].settings.max_new_tokens)) << i;
}

TEST_F(BatchGenerateTest, RunsAtMostMaxSequencesAtOnce) {
  const auto prompt = test::pattern_tokens(20, 256);
  std::vector<GenerateRequest> requests;
  for (int i = 0; i < 7; ++i) {
    GenerateSettings s;
    s.max_new_tokens = 6 + 3 * (i % 3);
    s.sampling.seed = uint64_t(i);
    requests.push_back({prompt, s});
  }
  for (const int at_most : {1, 3}) {
    std::set<size_t> live;
    size_t most_live = 0;
    BatchCallbacks callbacks;
    callbacks.on_token = [&](size_t request, int32_t) {
      live.insert(request);
      most_live = std::max(most_live, live.size());
    };
    callbacks.on_finished = [&](size_t request, const GenerateResult&) { live.erase(request); };
    const auto results = generate_batch(*model, requests, {0, at_most}, callbacks);
    EXPECT_EQ(most_live, size_t(at_most));
    for (size_t i = 0; i < results.size(); ++i)
      EXPECT_EQ(results[i].tokens.size(), size_t(requests[i].settings.max_new_tokens)) << i;
  }
  EXPECT_THROW(generate_batch(*model, requests, {0, -1}), Error);
}

TEST_F(BatchGenerateTest, RefusesACapThatHoldsNoSequence) {
  const auto prompt = test::pattern_tokens(20, 256);
  GenerateSettings s;
  s.max_new_tokens = 10;
  const std::vector<GenerateRequest> requests = {{prompt, s}};
  const int64_t need = reserved_kv_bytes(model->config(), requests[0]);
  try {
    generate_batch(*model, requests, {need - 1});
    FAIL() << "no error";
  } catch (const FieldError& e) {
    EXPECT_EQ(e.field(), "kv_memory") << e.what();
    EXPECT_NE(e.rest().find("cannot hold even one sequence"), std::string::npos) << e.what();
  }
  EXPECT_THROW(generate_batch(*model, requests, {-1}), Error);
  EXPECT_EQ(generate_batch(*model, requests, {need}).front().tokens.size(), 10u);
}

}  // namespace
}  // namespace foresight
