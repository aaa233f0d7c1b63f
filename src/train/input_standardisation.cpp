#include "train/input_standardisation.hpp"

#include <algorithm>
#include <cmath>

#include "core/parallel.hpp"
#include "eval/fidelity.hpp"
#include "judge/features.hpp"

namespace foresight {

namespace {

// Sums the judge's raw inputs and their squares per (layer, KV head) over the candidates of
// every eviction it observes.
class InputMoments final : public EvictionObserver {
 public:
  explicit InputMoments(const JudgeShape& shape)
      : shape_(shape),
        sum_(size(shape)),
        sum_sq_(size(shape)),
        rows_(size_t(shape.n_layers) * shape.n_kv_heads) {}

  StatMask stats_needed() const override { return kJudgeStatMask; }
  void evicting(const EvictionView& v, int, std::span<const int32_t>) override {
    const int F = shape_.features();
    std::vector<float> x(size_t(v.n) * F);
    for (int h = 0; h < v.n_kv_heads; ++h) {
      judge_features(shape_.inputs, v, h, x.data());
      const size_t head = size_t(v.layer) * shape_.n_kv_heads + h;
      for (int c = 0; c < v.n; ++c)
        for (int f = 0; f < F; ++f) {
          const double value = x[size_t(c) * F + f];
          sum_[head * F + f] += value;
          sum_sq_[head * F + f] += value * value;
        }
      rows_[head] += v.n;
    }
  }

  void add_to(InputMoments& total) const {
    for (size_t i = 0; i < sum_.size(); ++i)
      total.sum_[i] += sum_[i], total.sum_sq_[i] += sum_sq_[i];
    for (size_t i = 0; i < rows_.size(); ++i) total.rows_[i] += rows_[i];
  }

  void store(Judge& judge) const {
    const int F = shape_.features(), Hk = shape_.n_kv_heads;
    for (int layer = 0; layer < shape_.n_layers; ++layer) {
      const std::span<float> mean = judge.tensor(layer, Judge::Tensor::InputMean);
      const std::span<float> sd = judge.tensor(layer, Judge::Tensor::InputStd);
      for (int h = 0; h < Hk; ++h) {
        const size_t head = size_t(layer) * Hk + h;
        const double n = std::max<double>(1, double(rows_[head]));
        for (int f = 0; f < F; ++f) {
          const double m = sum_[head * F + f] / n;
          const double var = std::max(0.0, sum_sq_[head * F + f] / n - m * m);
          mean[size_t(h) * F + f] = float(m);
          sd[size_t(h) * F + f] = std::sqrt(var) < 1e-6 ? 1.0f : float(std::sqrt(var));
        }
      }
    }
  }

 private:
  static size_t size(const JudgeShape& s) {
    return size_t(s.n_layers) * s.n_kv_heads * s.features();
  }
  JudgeShape shape_;
  std::vector<double> sum_, sum_sq_;
  std::vector<int64_t> rows_;
};

}  // namespace

void measure_input_standardisation(const Model& model, const std::vector<Trace>& traces,
                                   FutureCache& futures, size_t count,
                                   const std::vector<EvictionSchedule>& schedules, Judge& judge) {
  count = std::min(count, traces.size());
  if (!judge.shape().inputs.standardised() || count == 0) return;
  const std::shared_ptr<const Policy> golden = make_policy("golden");
  std::vector<InputMoments> parts(count, InputMoments(judge.shape()));
  parallel_jobs(int64_t(count), [&](int64_t i) {
    Sequence seq(model.config(), {.schedule = schedules[size_t(i) % schedules.size()],
                                  .policy = golden,
                                  .future = futures.at(size_t(i)),
                                  .prompt_length = traces[i].prompt_len,
                                  .observer = &parts[i]});
    teacher_forced_losses(model, seq, traces[i].ids);
  });
  InputMoments total(judge.shape());
  // In trace order: the same on any number of threads.
  for (const InputMoments& part : parts) part.add_to(total);
  total.store(judge);
}

}  // namespace foresight
