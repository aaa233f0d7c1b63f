// ForesightKV (docs/method.md sections 5, 7): the judge scores every candidate from its key, value
// and attention statistics (phi, higher = evict), and the k = count - B evictions are drawn from
// the top 2k phi (`--judge-mode sample`, with the sequence's seeded generator) or are the k highest
// phi (`--judge-mode topk`). The cache's own selection applied to the scores -phi is exactly the
// topk mode, so only sampling overrides choose_evictions.
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "judge/eviction_sampler.hpp"
#include "judge/features.hpp"
#include "judge/judge_file.hpp"
#include "policy/foresight.hpp"

namespace foresight {
namespace {

class ForesightPolicy final : public Policy {
 public:
  ForesightPolicy(Judge judge, bool sample) : judge_(std::move(judge)), sample_(sample) {}

  std::string_view name() const override { return "foresight"; }
  StatMask stats_needed() const override { return kJudgeStatMask; }
  // A judge trained beside a wider window ranks only the tokens older than it.
  std::string default_recent() const override { return judge_.info.recent; }

  void score_head(const EvictionView& v, int h, std::span<float> out) const override {
    phi(v, h, out);
    for (float& s : out) s = -s;
  }

  void choose_evictions(const EvictionView& v, int k, std::span<int32_t> evicted) const override {
    if (!sample_) return Policy::choose_evictions(v, k, evicted);
    std::vector<float> p(size_t(v.n));
    for (int h = 0; h < v.n_kv_heads; ++h) {
      phi(v, h, p);
      sample_evictions(p, k, *v.rng, evicted.subspan(size_t(h) * k, size_t(k)));
    }
  }

 private:
  void phi(const EvictionView& v, int kv_head, std::span<float> out) const {
    thread_local std::vector<float> x;
    judge_scores(judge_, v, kv_head, x, out);
  }

  Judge judge_;
  bool sample_;
};

}  // namespace

std::unique_ptr<Policy> make_foresight_policy(Judge judge, bool sample) {
  return std::make_unique<ForesightPolicy>(std::move(judge), sample);
}

namespace {

// The file of the judges' entry for `label` ("" for the unlabelled one).
std::string judge_file(const std::vector<std::string>& judges, std::string_view label) {
  for (const std::string& entry : judges) {
    const size_t eq = entry.find('=');
    const std::string_view entry_label =
        eq == std::string::npos ? std::string_view() : std::string_view(entry).substr(0, eq);
    if (entry_label == label) return eq == std::string::npos ? entry : entry.substr(eq + 1);
  }
  if (label.empty())
    fail_field("judge",
               " FILE is needed by policy foresight (a judge from `foresight judge-init` or "
               "training)");
  fail_field("judge", " {0}=FILE is needed by policy foresight-{0}", label);
}

}  // namespace

std::unique_ptr<Policy> make_foresight_policy(const PolicyOptions& o, std::string_view label) {
  const std::string file = judge_file(o.judges, label);
  if (o.judge_mode != "sample" && o.judge_mode != "topk")
    fail_field("judge_mode", ": '{}' is not sample or topk", o.judge_mode);
  if (o.model == nullptr) fail("policy foresight: the model the judge serves is not known");
  Judge judge = read_judge(file);
  check_judge_fits(judge, *o.model, file);
  return make_foresight_policy(std::move(judge), o.judge_mode == "sample");
}

}  // namespace foresight
