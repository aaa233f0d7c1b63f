// Supervised judge training replays a trace teacher-forced under the eviction schedule
// (docs/method.md section 6) and, at every eviction of every (layer, KV head), compares the judge's
// scores of the candidates with the oracle's targets (-alpha, higher = more evictable; alpha is the
// most attention a candidate gets from the queries still to come, from the full-cache pass).
//
// GoldenTeacher is the policy that does this. Which entries it evicts is the path:
//   - the golden path (the paper's): it evicts what Golden Eviction evicts, so the judge learns
//     on the oracle's cache states;
//   - its own path (DAgger-style): it evicts what the judge draws (as the `foresight` policy in
//     sample mode, from the sequence's generator), so the judge also learns on the states its
//     own mistakes lead to, labelled by the same future attention.
// On the side it adds up the pairwise hinge, its gradient and the metrics. It carries the sums
// of one replay, so unlike other policies one object serves one sequence at a time.
#pragma once
#include <span>

#include "judge/judge.hpp"
#include "policy/policy.hpp"
#include "train/pairwise_hinge.hpp"

namespace foresight {

// Sums over the judged evictions (those with at least one strictly ordered candidate pair).
struct JudgeScorecard {
  int64_t decisions = 0;
  double loss = 0;     // sum of each decision's mean pairwise hinge
  double overlap = 0;  // sum of |judge's k highest phi ∩ oracle's k evictions| / k
  int64_t pairs = 0, correct_pairs = 0;  // correct: the judge's phi strictly in target order
  // Of the judge's k highest phi (what its topk mode would evict): how many have a future
  // attention above the harm threshold, and their future attention summed.
  int64_t harmful = 0;
  double evicted_attention = 0;

  void add(const JudgeScorecard& o);
  double mean_loss() const { return decisions ? loss / double(decisions) : 0; }
  double mean_overlap() const { return decisions ? overlap / double(decisions) : 0; }
  double pairwise_accuracy() const { return pairs ? double(correct_pairs) / double(pairs) : 0; }
  double harmful_per_decision() const {
    return decisions ? double(harmful) / double(decisions) : 0;
  }
  double evicted_attention_per_decision() const {
    return decisions ? evicted_attention / double(decisions) : 0;
  }
};

struct TeacherSettings {
  float margin = 0.01f;
  PairWeight weight = PairWeight::TargetGap;
  bool own_path = false;        // evict as the judge draws, not as the oracle does
  float harm_threshold = 1e-2f; // tau of the harmful-eviction count
};

class GoldenTeacher final : public Policy {
 public:
  // `grad` (laid out like judge.parameters(), or empty to only measure) receives the gradient
  // of the summed decision losses (scorecard().loss).
  GoldenTeacher(const Judge& judge, int budget, const TeacherSettings& settings,
                std::span<float> grad = {});

  std::string_view name() const override { return "golden"; }
  bool needs_future() const override { return true; }
  StatMask stats_needed() const override;
  void score(const EvictionView& view, std::span<float> scores) const override;
  void choose_evictions(const EvictionView& view, int k, std::span<int32_t> evicted) const override;

  const JudgeScorecard& scorecard() const { return card_; }

 private:
  // Judges one head's candidates against alpha; phi receives the judge's scores.
  void judge_head(const EvictionView& view, int kv_head, std::span<const float> alpha,
                  std::span<float> phi) const;

  const Judge& judge_;
  int budget_;
  TeacherSettings settings_;
  std::span<float> grad_;
  mutable JudgeScorecard card_;  // score() is const in the interface; the sums are the point
};

}  // namespace foresight
