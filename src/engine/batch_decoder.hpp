// Continuous batching one step at a time, for callers whose requests arrive while others run
// (a server) as well as for generate_batch: add() queues a request, step() advances every running
// sequence by one token, cancel() drops a request whose caller has gone. A request is admitted
// as soon as its reserved cache fits under the memory cap, in the order added.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "engine/generate.hpp"

namespace foresight {

// The bytes of keys and values the request reserves (reserved_kv_bytes); FieldError naming
// kv_memory when the cap cannot hold them even with nothing else running.
int64_t reservation_under_cap(const ModelConfig& config, const DecodeLimits& limits,
                              const GenerateRequest& request);
// Whether a request reserving `reserved` bytes may start beside `running` sequences that
// reserve `in_use`: the one admission rule, the decoder's and a server queue's.
bool has_room(const DecodeLimits& limits, int64_t in_use, size_t running, int64_t reserved);

class BatchDecoder {
 public:
  BatchDecoder(const Model& model, const DecodeLimits& limits, BatchCallbacks callbacks = {});
  ~BatchDecoder();

  // Queues the request behind those waiting and returns its id: 0, 1, ... in the order added
  // (the `request` of the callbacks). The caller keeps its prompt alive until it is finished or
  // cancelled. Errors: settings out of range (naming the field), or a cache that cannot fit
  // under the cap even alone (naming kv_memory).
  size_t add(const GenerateRequest& request);
  // Drops a waiting or running request, freeing its cache and its share of the cap; it is not
  // reported finished. An id already finished or cancelled is ignored.
  void cancel(size_t id);
  // Admits the waiting requests that fit (prefilling their prompts), samples the next token of
  // every running sequence (on_token), retires those that end (on_finished), and runs the
  // running ones through the model for the next step. Each sequence's tokens are exactly those
  // generate gives it alone, whatever else shares its steps.
  void step();

  bool idle() const { return waiting_.empty() && running_.empty(); }
  size_t running() const { return running_.size(); }
  size_t waiting() const { return waiting_.size(); }
  int64_t reserved_bytes() const { return in_use_; }  // the running sequences' reservations
  int64_t peak_reserved_bytes() const { return peak_in_use_; }  // the most they ever held

  struct Running;  // a request being generated (batch_decoder.cpp)

 private:
  struct Waiting {
    size_t id;
    GenerateRequest request;
    int64_t reserved;
  };
  void retire_finished();

  const Model& model_;
  DecodeLimits limits_;
  BatchCallbacks callbacks_;
  std::deque<Waiting> waiting_;
  std::vector<std::unique_ptr<Running>> running_;
  int64_t in_use_ = 0;  // reserved bytes of the running sequences
  int64_t peak_in_use_ = 0;
  size_t next_id_ = 0;
};

}  // namespace foresight
