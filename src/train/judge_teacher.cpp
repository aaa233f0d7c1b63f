#include "train/judge_teacher.hpp"

#include <algorithm>
#include <vector>

#include "judge/features.hpp"
#include "policy/foresight.hpp"

namespace foresight {

void JudgeScorecard::add(const JudgeScorecard& o) {
  decisions += o.decisions;
  loss += o.loss;
  overlap += o.overlap;
  pairs += o.pairs;
  correct_pairs += o.correct_pairs;
  harmful += o.harmful;
  evicted_attention += o.evicted_attention;
}

namespace {

const std::shared_ptr<const Policy>& golden() {
  static const std::shared_ptr<const Policy> policy = make_policy("golden");
  return policy;
}

}  // namespace

std::shared_ptr<const Policy> path_policy(const Judge& judge, const TeacherSettings& settings) {
  return settings.own_path ? make_foresight_policy(judge, true) : golden();
}

JudgeTeacher::JudgeTeacher(const Judge& judge, const TeacherSettings& settings,
                           std::span<float> grad)
    : judge_(judge), settings_(settings), grad_(grad) {}

StatMask JudgeTeacher::stats_needed() const { return kJudgeStatMask; }

void JudgeTeacher::evicting(const EvictionView& v, int k, std::span<const int32_t>) {
  std::vector<float> alpha(size_t(v.n_kv_heads) * v.n);
  golden()->score(v, alpha);
  for (int h = 0; h < v.n_kv_heads; ++h)
    judge_head(v, h, k, std::span(alpha).subspan(size_t(h) * v.n, size_t(v.n)));
}

void JudgeTeacher::judge_head(const EvictionView& v, int h, int k, std::span<const float> alpha) {
  const int n = v.n;
  const auto un = static_cast<size_t>(n);
  const JudgeHead head = judge_.head(v.layer, h);
  thread_local std::vector<float> x;
  std::vector<float> phi(un), pre(un * size_t(head.hidden)), targets(un),
      dphi(grad_.empty() ? 0 : un);
  judge_inputs(judge_, v, h, x);
  judge_forward(head, x.data(), n, phi.data(), pre.data());
  for (int c = 0; c < n; ++c) targets[c] = -alpha[c];

  const PairwiseHinge hinge =
      pairwise_hinge(targets, phi, settings_.margin, settings_.weight, dphi);
  if (hinge.pairs == 0) return;  // after the last chunk every alpha is 0: nothing to learn
  card_.decisions += 1;
  card_.loss += hinge.loss;
  card_.pairs += hinge.pairs;
  card_.correct_pairs += hinge.correct;
  if (!grad_.empty())
    judge_backward(head, x.data(), pre.data(), dphi.data(), n,
                   Judge::head_in(grad_, judge_.shape(), v.layer, h));

  // The oracle evicts the k lowest alpha, the judge would evict the k highest phi (the cache's
  // selection rule on -phi, as the foresight policy's topk mode does).
  std::vector<float> minus_phi(un);
  for (int c = 0; c < n; ++c) minus_phi[c] = -phi[c];
  std::vector<int32_t> oracle(static_cast<size_t>(k)), mine(static_cast<size_t>(k));
  lowest_scores(alpha, k, oracle);
  lowest_scores(minus_phi, k, mine);
  for (const int32_t c : mine) {
    card_.harmful += alpha[c] > settings_.harm_threshold;
    card_.evicted_attention += alpha[c];
  }
  std::vector<int32_t> both;
  std::set_intersection(oracle.begin(), oracle.end(), mine.begin(), mine.end(),
                        std::back_inserter(both));  // lowest_scores returns them ascending
  card_.overlap += double(both.size()) / double(k);
}

}  // namespace foresight
