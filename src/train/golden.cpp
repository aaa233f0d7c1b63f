#include "train/golden.hpp"

#include "engine/transformer.hpp"
#include "kv/attention_recorder.hpp"
#include "policy/policy.hpp"

namespace foresight {

FutureAttention record_future_attention(const Model& model, std::span<const int32_t> ids,
                                        int evict_every, TokenLosses* full_losses) {
  const ModelConfig& c = model.config();
  AttentionRecorder recorder(c, int64_t(ids.size()), evict_every);
  Sequence full(c, {.schedule = EvictionSchedule{0, evict_every, 0}, .recorder = &recorder});
  if (full_losses != nullptr) *full_losses = teacher_forced_losses(model, full, ids);
  else forward_tokens(model, full, ids, LogitsWanted::Last);
  return FutureAttention(recorder.take());
}

}  // namespace foresight
