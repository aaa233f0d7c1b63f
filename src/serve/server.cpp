#include "serve/server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <ctime>
#include <thread>

#include <fmt/format.h>

#include "core/error.hpp"
#include "serve/completion_text.hpp"

namespace foresight {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using httplib::Request;
using httplib::Response;

// Generated text may hold bytes that are not UTF-8 (a model can emit any byte): they are sent
// as U+FFFD rather than failing the response.
std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// OpenAI's error object.
Json error_body(std::string_view message, std::string_view type, const Json& param = nullptr) {
  return {{"error", {{"message", message}, {"type", type}, {"param", param}}}};
}

void send_error(Response& res, int status, std::string_view message, std::string_view type,
                const Json& param = nullptr) {
  res.status = status;
  res.set_content(dump(error_body(message, type, param)), "application/json");
}

// The library names its field (budget); the client knows it as its request field (kv_budget).
void send_field_error(Response& res, const FieldError& e) {
  const std::string field = request_field(e.field());
  send_error(res, 400, field + e.rest(), "invalid_request_error", field);
}

void send_busy(Response& res, std::string_view why) {
  res.set_header("Retry-After", "1");
  send_error(res, 503, why, "server_error");
}

// Compares every byte whatever the first difference, so the time taken reveals nothing of the
// key.
bool same_key(std::string_view a, std::string_view b) {
  unsigned diff = a.size() != b.size();
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) diff |= unsigned(a[i] ^ b[i]);
  return diff == 0;
}

std::string event(const Json& json) { return "data: " + dump(json) + "\n\n"; }

// A completion being answered: the request, its job in the batch, and its text so far.
struct Answer {
  CompletionRequest request;
  std::shared_ptr<Job> job;
  std::string id, model;
  int64_t created;
  std::vector<int32_t> tokens{};
  CompletionText text;
  bool sent_first = false;
  Clock::time_point last_write = Clock::now();

  // Adds the job's new tokens to the text; true once the job has ended.
  bool wait(Scheduler& scheduler, std::chrono::milliseconds timeout) {
    const size_t before = tokens.size();
    const bool ended = scheduler.wait(*job, tokens, timeout);
    text.add(std::span(tokens).subspan(before));
    return ended;
  }

  Json head(std::string_view object) const {
    return {{"id", id}, {"object", object}, {"created", created}, {"model", model}};
  }
  std::string finish_reason(const GenerateResult& r) const {
    return r.stopped || text.hit_stop() ? "stop" : "length";
  }
  Json usage(const GenerateResult& r) const {
    const size_t prompt = job->prompt.size();
    return {{"prompt_tokens", prompt},
            {"completion_tokens", r.tokens.size()},
            {"total_tokens", prompt + r.tokens.size()},
            {"kv_peak_bytes", r.peak_kv_bytes},  // foresight's: the cache's peak, evictions in
            {"kv_reserved_bytes", job->reserved_bytes}};
  }
  Json response(const GenerateResult& r) const {
    Json choice = {{"index", 0}, {"finish_reason", finish_reason(r)}};
    if (request.chat) choice["message"] = {{"role", "assistant"}, {"content", text.text()}};
    else choice["text"] = text.text(), choice["logprobs"] = nullptr;
    Json body = head(request.chat ? "chat.completion" : "text_completion");
    body["choices"] = Json::array({choice});
    body["usage"] = usage(r);
    return body;
  }
  Json chunk(std::string_view piece, const Json& finish_reason) {
    Json choice = {{"index", 0}, {"finish_reason", finish_reason}};
    if (request.chat) {
      choice["delta"] = {{"content", piece}};
      if (!sent_first) choice["delta"]["role"] = "assistant";
    } else {
      choice["text"] = piece, choice["logprobs"] = nullptr;
    }
    sent_first = true;
    Json body = head(request.chat ? "chat.completion.chunk" : "text_completion");
    body["choices"] = Json::array({choice});
    return body;
  }
  // The events to send next: new text, and once the job has ended the last chunk (its finish
  // reason, the usage when asked for) and [DONE]. An SSE comment after a second of silence finds
  // a client that has gone while the request waits for room.
  std::string events(Scheduler& scheduler, bool ended) {
    std::string out;
    if (!ended) {
      const std::string piece = text.take(false);
      if (!piece.empty()) out = event(chunk(piece, nullptr));
      else if (Clock::now() - last_write > 1s) out = ": waiting\n\n";
    } else {
      try {
        const GenerateResult r = scheduler.result(*job);
        out = event(chunk(text.take(true), finish_reason(r)));
        if (request.include_usage) {
          Json last = head(request.chat ? "chat.completion.chunk" : "text_completion");
          last["choices"] = Json::array();
          last["usage"] = usage(r);
          out += event(last);
        }
      } catch (const Error& e) {
        out = event(error_body(e.what(), "server_error"));
      }
      out += "data: [DONE]\n\n";
    }
    if (!out.empty()) last_write = Clock::now();
    return out;
  }
};

// A label value in Prometheus' text format.
std::string label(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? 'n' : c;
  }
  return out;
}

std::string metrics_text(const SchedulerMetrics& m, int64_t requests, int64_t rejected) {
  std::string out;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help,
                    auto value) {
    out += fmt::format("# HELP foresight_{0} {1}\n# TYPE foresight_{0} {2}\nforesight_{0} {3}\n",
                       name, help, type, value);
  };
  metric("requests_running", "gauge", "Requests decoding in the batch.", m.running);
  metric("requests_waiting", "gauge", "Requests waiting for room under the KV cap.", m.waiting);
  metric("requests_total", "counter", "Completion requests accepted.", requests);
  metric("requests_rejected_total", "counter", "Requests refused with 503 (queue full).", rejected);
  metric("kv_reserved_bytes", "gauge", "KV bytes the running requests reserve.", m.reserved_bytes);
  metric("kv_reserved_bytes_peak", "gauge", "The most KV bytes ever reserved at once.",
         m.peak_reserved_bytes);
  metric("kv_memory_bytes", "gauge", "The cap on reserved KV bytes (0: none).", m.kv_memory);
  metric("tokens_generated_total", "counter", "Tokens sampled.", m.tokens);
  metric("tokens_per_second", "gauge", "Tokens sampled per second, over the last second.",
         m.tokens_per_second);
  metric("evictions_total", "counter", "Evictions of finished requests.", m.evictions);
  const std::pair<std::string_view, int64_t SchedulerMetrics::PerPolicy::*> per_policy[] = {
      {"requests", &SchedulerMetrics::PerPolicy::requests},
      {"tokens", &SchedulerMetrics::PerPolicy::tokens},
      {"evictions", &SchedulerMetrics::PerPolicy::evictions}};
  for (const auto& [name, field] : per_policy) {
    out += fmt::format(
        "# HELP foresight_policy_{0}_total Finished requests' {0}, by policy.\n"
        "# TYPE foresight_policy_{0}_total counter\n",
        name);
    for (const auto& [policy, p] : m.policies)
      out += fmt::format("foresight_policy_{}_total{{policy=\"{}\"}} {}\n", name, label(policy),
                         p.*field);
  }
  return out;
}

}  // namespace

Server::Server(const Model& model, const Tokenizer& tokenizer, ServeOptions options)
    : model_(model),
      tokenizer_(tokenizer),
      options_(std::move(options)),
      scheduler_(model, options_.limits, options_.max_queue),
      http_(std::make_unique<httplib::Server>()) {
  options_.defaults.policy_options.model = &model.config();
  // Fails now on a bad default (the command line's) rather than on every request.
  CompletionRequest probe;
  probe.prompt = " ";
  try {
    prepare_request(probe, options_.defaults, model_, tokenizer_, policies_);
  } catch (const FieldError& e) {
    if (e.field() != "prompt") throw;
  }
  routes();
}

Server::~Server() = default;

int Server::bind() {
  const int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                   : http_->bind_to_port(options_.host, options_.port) ? options_.port
                                                                       : -1;
  if (port < 0) fail_field("port", ": cannot listen on {}:{}", options_.host, options_.port);
  // httplib listens with a backlog of 5: more clients connecting at once would wait a second
  // for their SYN to be sent again. Listening again only raises the backlog.
  ::listen(listen_socket_, SOMAXCONN);
  return port;
}

void Server::run() { http_->listen_after_bind(); }

void Server::shutdown() {
  draining_ = true;
  while (answering_ > 0) std::this_thread::sleep_for(20ms);
  http_->stop();
}

void Server::routes() {
  httplib::Server& http = *http_;
  // Each client being answered holds a thread (a stream for its whole generation), so there
  // is one for every request the batch and the queue hold, and a few for the others (metrics,
  // refusals). Without --max-batch, 256 running at once are served so; more wait to be read.
  const int batch = options_.limits.max_sequences;
  const size_t threads = options_.max_queue + size_t(batch > 0 ? batch : 256) + 8;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(options_.max_body);
  http.set_socket_options([this](int socket) {
    httplib::default_socket_options(socket);
    listen_socket_ = socket;
  });
  http.set_pre_routing_handler([this](const Request& req, Response& res) {
    if (options_.api_key.empty() || !req.path.starts_with("/v1/"))
      return httplib::Server::HandlerResponse::Unhandled;
    if (same_key(req.get_header_value("Authorization"), "Bearer " + options_.api_key))
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    send_error(res, 401, "a wrong or missing API key (Authorization: Bearer KEY)",
               "invalid_request_error");
    return httplib::Server::HandlerResponse::Handled;
  });
  // httplib's own refusals (an unknown path, a body over the limit) in OpenAI's format too.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string message = res.status == 413
                                    ? std::string("the request body is over --max-body")
                                : res.status == 404 ? "no such endpoint"
                                                    : fmt::format("HTTP status {}", res.status);
    send_error(res, res.status, message, "invalid_request_error");
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    send_error(res, 500, "internal error", "server_error");
  });

  http.Get("/health", [this](const Request&, Response& res) {
    res.status = draining_ ? 503 : 200;
    res.set_content(dump({{"status", draining_ ? "draining" : "ok"}}), "application/json");
  });
  http.Get("/v1/models", [this](const Request&, Response& res) {
    const Json model = {
        {"id", options_.model_id}, {"object", "model"}, {"created", 0}, {"owned_by", "foresight"}};
    res.set_content(dump({{"object", "list"}, {"data", Json::array({model})}}), "application/json");
  });
  http.Get("/metrics", [this](const Request&, Response& res) {
    res.set_content(metrics_text(scheduler_.metrics(), requests_, rejected_),
                    "text/plain; version=0.0.4");
  });
  http.Post("/v1/completions",
            [this](const Request& req, Response& res) { complete(req, res, false); });
  http.Post("/v1/chat/completions",
            [this](const Request& req, Response& res) { complete(req, res, true); });
}

void Server::complete(const Request& req, Response& res, bool chat) {
  ++answering_;  // before the check, so that shutdown() cannot miss this request
  struct Done {  // a non-streamed answer is done when this returns
    std::atomic<int>* count;
    ~Done() {
      if (count) --*count;
    }
  } done{&answering_};
  if (draining_) return send_busy(res, "the server is shutting down");
  CompletionRequest request;
  std::shared_ptr<Job> job;
  try {
    request = parse_completion_request(req.body, chat);
    PreparedRequest p = prepare_request(request, options_.defaults, model_, tokenizer_, policies_);
    job = scheduler_.submit(std::move(p.prompt), std::move(p.settings), std::move(p.policy));
  } catch (const FieldError& e) {
    return send_field_error(res, e);
  } catch (const Error& e) {
    return send_error(res, 400, e.what(), "invalid_request_error");
  }
  if (!job) {
    ++rejected_;
    return send_busy(res, "the queue of requests waiting for room is full (--max-queue)");
  }
  ++requests_;
  auto answer = std::make_shared<Answer>(
      Answer{.request = request,
             .job = job,
             .id = fmt::format("{}-{}", chat ? "chatcmpl" : "cmpl", next_id_++),
             .model = options_.model_id,
             .created = int64_t(std::time(nullptr)),
             .text = CompletionText(tokenizer_, request.stop)});

  done.count = nullptr;  // the body's releaser ends it
  if (!request.stream) {
    // httplib 0.11 tells a handler nothing of its client, so the answer is sent chunked: a
    // space (JSON allows leading white space) every half second while the job runs, and a
    // failed write finds a client that has gone. The price: the status, 200, goes out first, so
    // an engine failure comes as an error object in the body.
    res.set_chunked_content_provider(
        "application/json",
        [this, answer](size_t, httplib::DataSink& sink) {
          if (!answer->wait(scheduler_, 500ms)) return sink.write(" ", 1);
          std::string body;
          try {
            body = dump(answer->response(scheduler_.result(*answer->job)));
          } catch (const Error& e) {
            body = dump(error_body(e.what(), "server_error"));
          }
          if (!sink.write(body.data(), body.size())) return false;
          sink.done();
          return true;
        },
        [this, answer](bool) { release(answer->job); });
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, answer](size_t, httplib::DataSink& sink) {
        const bool ended = answer->wait(scheduler_, 100ms);
        const std::string out = answer->events(scheduler_, ended);
        if (!out.empty() && !sink.write(out.data(), out.size())) return false;  // client gone
        if (ended) sink.done();
        return true;
      },
      [this, answer](bool) { release(answer->job); });
}

void Server::release(const std::shared_ptr<Job>& job) {
  scheduler_.cancel(job);
  --answering_;
}

}  // namespace foresight
