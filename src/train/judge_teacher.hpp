// Supervised judge training replays a trace teacher-forced under the eviction schedule
// (docs/method.md section 6) and, at every eviction of every (layer, KV head), compares the judge's
// scores of the candidates with the oracle's targets (-alpha, higher = more evictable; alpha is the
// most attention a candidate gets from the queries still to come, from the full-cache pass).
//
// JudgeTeacher is the observer of the replayed sequence that does this: it adds up the pairwise
// hinge, its gradient and the metrics. Which entries are evicted is the path, set by the
// sequence's policy (path_policy):
//   - the golden path (the paper's): Golden Eviction, so the judge learns on the oracle's cache
//     states;
//   - its own path (DAgger-style): the `foresight` policy in sample mode on the same judge
//     (drawing from the sequence's generator), so the judge also learns on the states its own
//     mistakes lead to, labelled by the same future attention.
// The teacher judges the decision, not the path's choice: the same whatever the policy evicts.
#pragma once
#include <memory>
#include <span>

#include "engine/eviction_observer.hpp"
#include "judge/judge.hpp"
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
  bool own_path = false;         // the replay evicts as the judge draws, not as the oracle does
  float harm_threshold = 1e-2f;  // tau of the harmful-eviction count
};

// The policy a replay along the path follows (settings.own_path): golden, or the judge's draws.
std::shared_ptr<const Policy> path_policy(const Judge& judge, const TeacherSettings& settings);

class JudgeTeacher final : public EvictionObserver {
 public:
  // `grad` (laid out like judge.parameters(), or empty to only measure) receives the gradient
  // of the summed decision losses (scorecard().loss). The sequence observed must carry the
  // trace's future attention.
  JudgeTeacher(const Judge& judge, const TeacherSettings& settings, std::span<float> grad = {});

  StatMask stats_needed() const override;
  void evicting(const EvictionView& view, int k, std::span<const int32_t> chosen) override;

  const JudgeScorecard& scorecard() const { return card_; }

 private:
  // Judges one head's candidates, k of which go, against their alpha.
  void judge_head(const EvictionView& view, int kv_head, int k, std::span<const float> alpha);

  const Judge& judge_;
  TeacherSettings settings_;
  std::span<float> grad_;
  JudgeScorecard card_;
};

}  // namespace foresight
