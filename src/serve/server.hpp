// `foresight serve`: an OpenAI-compatible HTTP server over one continuous batch.
//   POST /v1/completions, POST /v1/chat/completions (stream: true as server-sent events)
//   GET /v1/models, GET /health, GET /metrics (Prometheus text)
// Errors are OpenAI's {"error": {"message", "type", "param"}}: 400 naming the request's field,
// 401 for a wrong or missing key, 413 for a body over the limit, 503 (Retry-After) when the
// queue is full or the server is draining.
#pragma once
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "serve/request_settings.hpp"
#include "serve/scheduler.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace foresight {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (bind() says which)
  DecodeLimits limits;
  size_t max_queue = 256;     // requests waiting for room at most; more get 503
  size_t max_body = 1 << 20;  // bytes of a request body at most; more get 413
  std::string api_key;        // "": no key needed
  std::string model_id = "foresight";
  ServeDefaults defaults;
};

class Server {
 public:
  Server(const Model& model, const Tokenizer& tokenizer, ServeOptions options);
  ~Server();
  // Listens on the host and port; returns the port. Error when it cannot.
  int bind();
  // Answers requests until shutdown() has drained them.
  void run();
  // From any thread: new completions get 503, those running finish and are sent, then run()
  // returns.
  void shutdown();

 private:
  void routes();
  // POST /v1/completions (chat false) and /v1/chat/completions.
  void complete(const httplib::Request& req, httplib::Response& res, bool chat);
  // An answer's body is over, sent or not: its slot is freed (at the next step, if the client
  // went away mid-generation).
  void release(const std::shared_ptr<Job>& job);

  const Model& model_;
  Tokenizer tokenizer_;
  ServeOptions options_;
  PolicyCache policies_;
  Scheduler scheduler_;
  std::unique_ptr<httplib::Server> http_;
  int listen_socket_ = -1;
  std::atomic<bool> draining_{false};
  std::atomic<int> answering_{0};  // completions being answered (streams included)
  std::atomic<uint64_t> next_id_{0};
  std::atomic<int64_t> requests_{0}, rejected_{0};
};

}  // namespace foresight
