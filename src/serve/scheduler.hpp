// The one continuous batch of a server. Requests arrive on the HTTP threads and join it; a
// thread of its own steps the batch (a BatchDecoder), so a request is admitted as soon as its
// reserved cache fits under the cap, whatever policy and budget the others run. Each request's
// tokens are published to its Job as they are sampled, for the thread that answers it.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/batch_decoder.hpp"

namespace foresight {

// One request's progress. Its fields are guarded by the scheduler's mutex: read them through
// Scheduler::wait.
struct Job {
  std::vector<int32_t> prompt;
  GenerateSettings settings;
  std::string policy;  // the metrics' label
  int64_t reserved_bytes = 0;
  std::vector<int32_t> tokens;           // sampled so far
  std::optional<GenerateResult> result;  // once finished
  std::string error;                     // set when the engine failed it
  bool cancelled = false;
  bool ended() const { return result.has_value() || !error.empty() || cancelled; }
};

// What /metrics reports.
struct SchedulerMetrics {
  size_t running = 0, waiting = 0;
  int64_t reserved_bytes = 0, peak_reserved_bytes = 0, kv_memory = 0;
  double tokens_per_second = 0;  // over the last second or so of decoding
  struct PerPolicy {
    int64_t requests = 0, tokens = 0, evictions = 0;
  };
  std::map<std::string, PerPolicy> policies;  // finished requests, by run label
  int64_t tokens = 0, evictions = 0;          // every request's, cancelled ones' tokens included
};

class Scheduler {
 public:
  // `max_queue`: requests waiting for room at most; 0: none may wait.
  Scheduler(const Model& model, const DecodeLimits& limits, size_t max_queue);
  ~Scheduler();  // finishes every request that joined, then stops its thread

  // Joins the batch; null when the queue is full. FieldError (kv_memory) when the request's
  // cache cannot fit under the cap even alone.
  std::shared_ptr<Job> submit(std::vector<int32_t> prompt, GenerateSettings settings,
                              std::string policy);
  // Blocks until the job has more than `seen` tokens or has ended, or `timeout` passes; then
  // copies out its new tokens (appended to `tokens`) and whether it ended.
  bool wait(const Job& job, std::vector<int32_t>& tokens, std::chrono::milliseconds timeout);
  // The caller has gone: its slot is freed at the next step.
  void cancel(const std::shared_ptr<Job>& job);
  // With the job ended (wait returned true): its result, or the engine's error.
  GenerateResult result(const Job& job);

  SchedulerMetrics metrics();

 private:
  void loop();

  const Model& model_;
  DecodeLimits limits_;
  size_t max_queue_;
  std::mutex mutex_;
  std::condition_variable wake_engine_, wake_jobs_;
  std::vector<std::shared_ptr<Job>> incoming_;
  std::vector<size_t> cancels_;                  // decoder ids
  std::map<size_t, std::shared_ptr<Job>> jobs_;  // by decoder id, while in the decoder
  std::map<const Job*, size_t> ids_;
  SchedulerMetrics metrics_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace foresight
