#include "train/golden_teacher.hpp"

#include <algorithm>
#include <vector>

#include "judge/features.hpp"
#include "train/pairwise_hinge.hpp"

namespace foresight {

std::unique_ptr<Policy> make_golden_policy(const PolicyOptions&);

void JudgeScorecard::add(const JudgeScorecard& o) {
  decisions += o.decisions;
  loss += o.loss;
  overlap += o.overlap;
  pairs += o.pairs;
  correct_pairs += o.correct_pairs;
}

GoldenTeacher::GoldenTeacher(const Judge& judge, int budget, float margin, std::span<float> grad)
    : judge_(judge), budget_(budget), margin_(margin), grad_(grad) {}

StatMask GoldenTeacher::stats_needed() const { return kJudgeStatMask; }

void GoldenTeacher::score(const EvictionView& v, std::span<float> scores) const {
  static const std::unique_ptr<Policy> golden = make_golden_policy({});
  golden->score(v, scores);  // alpha: the cache keeps the highest, i.e. follows the oracle
  for (int h = 0; h < v.n_kv_heads; ++h) judge_head(v, h, scores.subspan(size_t(h) * v.n, size_t(v.n)));
}

void GoldenTeacher::judge_head(const EvictionView& v, int h, std::span<const float> alpha) const {
  const int n = v.n, k = v.head(h).count() - budget_;
  const auto un = static_cast<size_t>(n);
  const JudgeHead head = judge_.head(v.layer, h);
  std::vector<float> x(un * judge_.shape().features()), pre(un * kJudgeHidden), phi(un),
      targets(un), dphi(grad_.empty() ? 0 : un);
  judge_features(v, h, x.data());
  judge_forward(head, x.data(), n, phi.data(), pre.data());
  for (int c = 0; c < n; ++c) targets[c] = -alpha[c];

  const PairwiseHinge hinge = pairwise_hinge(targets, phi, margin_, dphi);
  if (hinge.pairs == 0) return;  // after the last chunk every alpha is 0: nothing to learn
  card_.decisions += 1;
  card_.loss += hinge.loss;
  card_.pairs += hinge.pairs;
  card_.correct_pairs += hinge.correct;
  if (!grad_.empty())
    judge_backward(head, x.data(), pre.data(), dphi.data(), n,
                   Judge::head_in(grad_, judge_.shape(), v.layer, h));

  // Top-k overlap: the oracle evicts the k lowest alpha, the judge would evict the k highest
  // phi (the cache's selection rule on -phi, as the foresight policy's topk mode does).
  std::vector<float> minus_phi(un);
  for (int c = 0; c < n; ++c) minus_phi[c] = -phi[c];
  std::vector<int32_t> oracle(static_cast<size_t>(k)), mine(static_cast<size_t>(k));
  lowest_scores(alpha, k, oracle);
  lowest_scores(minus_phi, k, mine);
  std::sort(oracle.begin(), oracle.end());
  std::sort(mine.begin(), mine.end());
  std::vector<int32_t> both;
  std::set_intersection(oracle.begin(), oracle.end(), mine.begin(), mine.end(),
                        std::back_inserter(both));
  card_.overlap += double(both.size()) / double(k);
}

}  // namespace foresight
