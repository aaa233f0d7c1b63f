// The stepping batch decoder: requests that join a running batch and requests cancelled in it
// get (or free) exactly what they would alone, and the reservations follow.
#include <map>

#include <gtest/gtest.h>

#include "engine/batch_decoder.hpp"
#include "policy/policy.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

class BatchDecoderTest : public test::TinyModelTest {
 protected:
  GenerateSettings settings(uint64_t seed, bool evict) const {
    GenerateSettings s;
    s.max_new_tokens = 40;
    s.sampling.temperature = 0.9f;
    s.sampling.seed = seed;
    if (evict) s.policy = make_policy("h2o"), s.schedule = {16, 8, 0};
    return s;
  }
  BatchCallbacks record() {
    return {[this](size_t id, int32_t token) { tokens[id].push_back(token); },
            [this](size_t id, const GenerateResult&) { finished.push_back(id); }};
  }
  std::map<size_t, std::vector<int32_t>> tokens;
  std::vector<size_t> finished;
};

TEST_F(BatchDecoderTest, RequestsJoiningARunningBatchGetTheirTokensAlone) {
  const std::vector<int32_t> a = test::pattern_tokens(12, 200),
                             b = test::pattern_tokens(30, 200, 1);
  BatchDecoder decoder(*model, {}, record());
  EXPECT_EQ(decoder.add({a, settings(1, false)}), 0u);
  for (int i = 0; i < 7; ++i) decoder.step();
  EXPECT_EQ(decoder.add({b, settings(2, true)}), 1u);
  decoder.step();
  EXPECT_EQ(decoder.running(), 2u);
  while (!decoder.idle()) decoder.step();
  EXPECT_EQ(tokens[0], generate(*model, a, settings(1, false)).tokens);
  EXPECT_EQ(tokens[1], generate(*model, b, settings(2, true)).tokens);
  EXPECT_EQ(decoder.reserved_bytes(), 0);
}

TEST_F(BatchDecoderTest, CancellingFreesTheSlotForTheNextRequest) {
  const std::vector<int32_t> a = test::pattern_tokens(12, 200), b = test::pattern_tokens(9, 200, 2);
  const GenerateRequest first{a, settings(1, false)}, second{b, settings(3, false)};
  const int64_t one = reserved_kv_bytes(model->config(), first);
  BatchDecoder decoder(*model, {.kv_memory = one}, record());
  decoder.add(first);
  decoder.add(second);
  decoder.step();
  EXPECT_EQ(decoder.running(), 1u);
  EXPECT_EQ(decoder.waiting(), 1u);
  EXPECT_EQ(decoder.reserved_bytes(), one);
  decoder.cancel(0);
  EXPECT_EQ(decoder.reserved_bytes(), 0);
  decoder.cancel(0);  // twice: ignored
  while (!decoder.idle()) decoder.step();
  EXPECT_EQ(finished, std::vector<size_t>{1});  // the cancelled one is never reported
  EXPECT_EQ(tokens[1], generate(*model, b, settings(3, false)).tokens);
  EXPECT_LE(decoder.peak_reserved_bytes(), one);
}

}  // namespace
}  // namespace foresight
