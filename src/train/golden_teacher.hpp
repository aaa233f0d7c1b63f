// Supervised judge training runs the eviction schedule teacher-forced along the golden path
// (SPEC section 6): the cache evicts what Golden Eviction evicts, so the judge sees the oracle's
// cache states, and at every eviction of every (layer, KV head) the judge's scores of the
// candidates are compared with the oracle's targets (-alpha, higher = more evictable).
//
// GoldenTeacher is the policy that does this: it chooses like `golden` and, on the side, runs
// the judge on each eviction's candidates, adds up the pairwise hinge, its gradient and the
// metrics. It carries the sums of one replay, so unlike other policies one object serves one
// sequence at a time.
#pragma once
#include <span>

#include "judge/judge.hpp"
#include "policy/policy.hpp"

namespace foresight {

// Sums over the judged evictions (those with at least one strictly ordered candidate pair).
struct JudgeScorecard {
  int64_t decisions = 0;
  double loss = 0;     // sum of each decision's mean pairwise hinge
  double overlap = 0;  // sum of |judge's k highest phi ∩ oracle's k evictions| / k
  int64_t pairs = 0, correct_pairs = 0;  // correct: the judge's phi strictly in target order

  void add(const JudgeScorecard& o);
  double mean_loss() const { return decisions ? loss / double(decisions) : 0; }
  double mean_overlap() const { return decisions ? overlap / double(decisions) : 0; }
  double pairwise_accuracy() const { return pairs ? double(correct_pairs) / double(pairs) : 0; }
};

class GoldenTeacher final : public Policy {
 public:
  // `grad` (laid out like judge.parameters(), or empty to only measure) receives the gradient
  // of the summed decision losses (scorecard().loss).
  GoldenTeacher(const Judge& judge, int budget, float margin, std::span<float> grad = {});

  std::string_view name() const override { return "golden"; }
  bool needs_future() const override { return true; }
  StatMask stats_needed() const override;
  void score(const EvictionView& view, std::span<float> scores) const override;

  const JudgeScorecard& scorecard() const { return card_; }

 private:
  void judge_head(const EvictionView& view, int kv_head, std::span<const float> alpha) const;

  const Judge& judge_;
  int budget_;
  float margin_;
  std::span<float> grad_;
  mutable JudgeScorecard card_;  // score() is const in the interface; the sums are the point
};

}  // namespace foresight
