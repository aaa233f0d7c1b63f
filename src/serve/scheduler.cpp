#include "serve/scheduler.hpp"

#include <chrono>

#include "core/error.hpp"

namespace foresight {

namespace {
using Clock = std::chrono::steady_clock;
}

Scheduler::Scheduler(const Model& model, const DecodeLimits& limits, size_t max_queue)
    : model_(model), limits_(limits), max_queue_(max_queue) {
  BatchDecoder check(model, limits);  // refuses negative limits here, not on the engine thread
  metrics_.kv_memory = limits.kv_memory;
  thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_engine_.notify_one();
  thread_.join();
}

std::shared_ptr<Job> Scheduler::submit(std::vector<int32_t> prompt, GenerateSettings settings,
                                       std::string policy) {
  auto job = std::make_shared<Job>();
  job->prompt = std::move(prompt);
  job->settings = std::move(settings);
  job->policy = std::move(policy);
  job->reserved_bytes =
      reservation_under_cap(model_.config(), limits_, {job->prompt, job->settings});
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    // One that would be admitted at the next step does not queue.
    int64_t arriving = job->reserved_bytes;
    for (const auto& j : incoming_) arriving += j->reserved_bytes;
    const bool fits_now =
        metrics_.waiting == 0 &&
        has_room(limits_, metrics_.reserved_bytes, metrics_.running + incoming_.size(), arriving);
    if (stopping_ || (!fits_now && metrics_.waiting + incoming_.size() >= max_queue_))
      return nullptr;
    incoming_.push_back(job);
  }
  wake_engine_.notify_one();
  return job;
}

bool Scheduler::wait(const Job& job, std::vector<int32_t>& tokens,
                     std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_jobs_.wait_for(lock, timeout,
                      [&] { return job.tokens.size() > tokens.size() || job.ended(); });
  tokens.insert(tokens.end(), job.tokens.begin() + long(tokens.size()), job.tokens.end());
  return job.ended();
}

void Scheduler::cancel(const std::shared_ptr<Job>& job) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (job->ended()) return;
    job->cancelled = true;
    std::erase(incoming_, job);
    if (auto it = ids_.find(job.get()); it != ids_.end()) cancels_.push_back(it->second);
  }
  wake_engine_.notify_one();
}

GenerateResult Scheduler::result(const Job& job) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!job.error.empty()) throw Error(job.error);
  if (!job.result) fail("the request was cancelled");
  return *job.result;
}

SchedulerMetrics Scheduler::metrics() {
  const std::lock_guard<std::mutex> lock(mutex_);
  SchedulerMetrics m = metrics_;
  m.waiting += incoming_.size();
  return m;
}

void Scheduler::loop() {
  // Called on this thread from inside step(); they take the lock themselves.
  const BatchCallbacks callbacks{[this](size_t id, int32_t token) {
                                   const std::lock_guard<std::mutex> lock(mutex_);
                                   jobs_.at(id)->tokens.push_back(token);
                                   ++metrics_.tokens;
                                 },
                                 [this](size_t id, const GenerateResult& result) {
                                   const std::lock_guard<std::mutex> lock(mutex_);
                                   const std::shared_ptr<Job> job = jobs_.at(id);
                                   job->result = result;
                                   SchedulerMetrics::PerPolicy& p = metrics_.policies[job->policy];
                                   ++p.requests;
                                   p.tokens += int64_t(result.tokens.size());
                                   p.evictions += result.evictions;
                                   metrics_.evictions += result.evictions;
                                   ids_.erase(job.get());
                                   jobs_.erase(id);
                                 }};
  auto decoder = std::make_unique<BatchDecoder>(model_, limits_, callbacks);
  auto window_start = Clock::now();
  int64_t window_tokens = metrics_.tokens;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_engine_.wait(lock, [&] {
        return stopping_ || !incoming_.empty() || !cancels_.empty() || !decoder->idle();
      });
      if (decoder->idle()) window_start = Clock::now(), window_tokens = metrics_.tokens;
      for (size_t id : cancels_) {
        decoder->cancel(id);
        if (auto it = jobs_.find(id); it != jobs_.end()) ids_.erase(it->second.get());
        jobs_.erase(id);
      }
      cancels_.clear();
      for (const std::shared_ptr<Job>& job : incoming_) {
        try {
          const size_t id = decoder->add({job->prompt, job->settings});
          jobs_[id] = job;
          ids_[job.get()] = id;
        } catch (const std::exception& e) {
          job->error = e.what();
        }
      }
      incoming_.clear();
      metrics_.waiting = decoder->waiting();  // they count against the queue until admitted
      if (decoder->idle()) {
        metrics_.running = metrics_.waiting = 0;
        metrics_.reserved_bytes = 0;
        metrics_.tokens_per_second = 0;
        if (stopping_) return;
        wake_jobs_.notify_all();  // those failed on arrival
        continue;
      }
    }
    try {
      decoder->step();
    } catch (const std::exception& e) {
      // A failure inside the model ends the requests in flight, never the server.
      const std::lock_guard<std::mutex> lock(mutex_);
      for (auto& [id, job] : jobs_) job->error = e.what();
      jobs_.clear();
      ids_.clear();
      metrics_.peak_reserved_bytes =
          std::max(metrics_.peak_reserved_bytes, decoder->peak_reserved_bytes());
      decoder = std::make_unique<BatchDecoder>(model_, limits_, callbacks);
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    metrics_.running = decoder->running();
    metrics_.waiting = decoder->waiting();
    metrics_.reserved_bytes = decoder->reserved_bytes();
    metrics_.peak_reserved_bytes =
        std::max(metrics_.peak_reserved_bytes, decoder->peak_reserved_bytes());
    const double elapsed = std::chrono::duration<double>(Clock::now() - window_start).count();
    if (elapsed >= 1.0) {
      metrics_.tokens_per_second = double(metrics_.tokens - window_tokens) / elapsed;
      window_start = Clock::now(), window_tokens = metrics_.tokens;
    }
    wake_jobs_.notify_all();
  }
}

}  // namespace foresight
