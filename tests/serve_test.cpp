// foresight serve over loopback: completions, chat and streams equal to offline generation with
// the same seed and settings, errors naming the request's field, many clients at once under the
// KV cap, clients that go away, the queue limit and the API key.
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/generate.hpp"
#include "model/chat.hpp"
#include "model/random_model.hpp"
#include "serve/completion_text.hpp"
#include "serve/server.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

class ServeTest : public test::TinyModelTest {
 protected:
  void SetUp() override {
    TinyModelTest::SetUp();
    tokenizer = std::make_unique<Tokenizer>(Tokenizer::load(dir / "tokenizer.json"));
  }
  void TearDown() override {
    if (server) {
      server->shutdown();
      thread.join();
    }
  }
  void start(ServeOptions options = {}) {
    options.port = 0;
    options.max_body = 64 << 10;
    server = std::make_unique<Server>(*model, *tokenizer, options);
    port = server->bind();
    thread = std::thread([this] { server->run(); });
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    return c;
  }
  httplib::Result post(const std::string& path, const Json& body) const {
    return client().Post(path.c_str(), body.dump(), "application/json");
  }
  // What `foresight generate` prints for the prompt with these settings, generated alone.
  std::string offline(const std::string& text, int max_tokens, uint64_t seed,
                      const std::string& policy = "full", int budget = 0) const {
    GenerateSettings s;
    s.max_new_tokens = max_tokens;
    s.sampling = {.temperature = 0.8f, .top_k = 40, .seed = seed};
    s.sampling.vocab_limit = tokenizer->vocab_size();
    s.stop_ids = model->config().eos_ids;
    PolicyOptions options;
    options.model = &model->config();
    s.policy = make_policy(policy, options);
    s.schedule = {budget, 8, 0};
    s.schedule.set_sinks("", default_sinks(s.policy.get()));
    const std::vector<int32_t> prompt = tokenizer->encode(text);
    CompletionText out(*tokenizer, {});
    out.add(generate(*model, prompt, s).tokens);
    return out.text();
  }
  // Text as the server sends it: a random model's bytes that are not UTF-8 become U+FFFD.
  static std::string as_sent(const std::string& raw) {
    return Json::parse(Json(raw).dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  static Json request(const std::string& prompt, int max_tokens, uint64_t seed) {
    return {{"prompt", prompt}, {"max_tokens", max_tokens}, {"temperature", 0.8}, {"top_k", 40},
            {"seed", seed},     {"kv_evict_every", 8}};
  }
  // The texts of a stream's chunks, joined; "" with `done` false when it did not end in [DONE].
  static std::string streamed(const std::string& body, bool chat, bool* done) {
    std::string text;
    *done = false;
    for (size_t at = 0; (at = body.find("data: ", at)) != std::string::npos;) {
      const size_t end = body.find("\n\n", at);
      const std::string data = body.substr(at + 6, end - at - 6);
      at = end;
      if (data == "[DONE]") {
        *done = true;
        break;
      }
      const Json chunk = Json::parse(data);
      if (chunk["choices"].empty()) continue;
      const Json& c = chunk["choices"][0];
      text += chat ? c["delta"].value("content", "") : c["text"].get<std::string>();
    }
    return text;
  }
  // Streams a completion to `receiver`, which hangs up by returning false.
  void stream(Json body, httplib::ContentReceiverWithProgress receiver) const {
    body["stream"] = true;
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/completions";
    req.body = body.dump();
    req.set_header("Content-Type", "application/json");
    req.content_receiver = std::move(receiver);
    client().send(req);
  }
  int64_t metric(const std::string& name) const {
    const auto res = client().Get("/metrics");
    const std::string line = "\nforesight_" + name + " ";
    const size_t at = res->body.find(line);
    if (at == std::string::npos) return -1;
    return std::stoll(res->body.substr(at + line.size()));
  }

  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<Server> server;
  std::thread thread;
  int port = 0;
};

TEST_F(ServeTest, CompletionEqualsOfflineGenerate) {
  start();
  const auto res = post("/v1/completions", request("The cat sat", 24, 7));
  ASSERT_EQ(res->status, 200) << res->body;
  const Json body = Json::parse(res->body);
  EXPECT_EQ(body["object"], "text_completion");
  EXPECT_EQ(body["choices"][0]["text"], as_sent(offline("The cat sat", 24, 7)));
  EXPECT_EQ(body["usage"]["prompt_tokens"], tokenizer->encode("The cat sat").size());
  EXPECT_GT(body["usage"]["kv_peak_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(metric("kv_reserved_bytes"), 0);
}

TEST_F(ServeTest, ChatAndStreamsEqualOfflineGenerate) {
  start();
  const std::vector<ChatMessage> messages = {{"system", "Be brief."}, {"user", "Hi there"}};
  Json chat = request("", 20, 3);
  chat.erase("prompt");
  chat["messages"] = {{{"role", "system"}, {"content", "Be brief."}},
                      {{"role", "user"}, {"content", "Hi there"}}};
  const std::string expected = as_sent(offline(format_chat_messages(messages, false), 20, 3));
  const auto res = post("/v1/chat/completions", chat);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Json::parse(res->body)["choices"][0]["message"]["content"], expected);

  bool done = false;
  chat["stream"] = true;
  const auto stream = post("/v1/chat/completions", chat);
  ASSERT_EQ(stream->status, 200);
  EXPECT_EQ(streamed(stream->body, true, &done), expected);
  EXPECT_TRUE(done);
  Json plain = request("Once upon", 30, 11);
  plain["stream"] = true;
  plain["stream_options"] = {{"include_usage", true}};
  const auto text_stream = post("/v1/completions", plain);
  EXPECT_EQ(streamed(text_stream->body, false, &done), as_sent(offline("Once upon", 30, 11)));
  EXPECT_TRUE(done);
  EXPECT_NE(text_stream->body.find("\"completion_tokens\""), std::string::npos);
}

// The official openai npm client (tests/reference/openai) gets what offline generation gives.
TEST_F(ServeTest, OfficialOpenAiClientGetsTheOfflineText) {
  const auto client_dir = test::source_dir() / "tests/reference/openai";
  if (!std::filesystem::exists(client_dir / "node_modules/openai"))
    GTEST_SKIP() << "the openai client is missing: run tests/reference/openai/fetch.sh";
  start();
  const test::CommandResult r = test::run_command("node " + (client_dir / "client.mjs").string() +
                                                  " " + std::to_string(port));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Json got = Json::parse(r.output.substr(r.output.rfind("{\"completion\"")));
  const std::vector<ChatMessage> messages = {{"system", "Be brief."}, {"user", "Hi there"}};
  const std::string chat = as_sent(offline(format_chat_messages(messages, false), 20, 3));
  EXPECT_EQ(got["completion"], as_sent(offline("The cat sat", 24, 7)));
  EXPECT_EQ(got["chat"], chat);
  EXPECT_EQ(got["completion_stream"], as_sent(offline("Once upon", 30, 11)));
  EXPECT_EQ(got["chat_stream"], chat);
  EXPECT_EQ(got["refused"], "400 kv_policy");
}

TEST_F(ServeTest, StopStringEndsTheText) {
  start();
  const std::string full = offline("abc", 60, 5);
  // A printable character past the start, as the stop string.
  size_t at = 1;
  while (at < full.size() && !(full[at] >= 'a' && full[at] <= 'z')) ++at;
  ASSERT_LT(at, full.size()) << "no letter in the offline text";
  Json r = request("abc", 60, 5);
  r["stop"] = {std::string(1, full[at]), "never seen"};
  const Json body = Json::parse(post("/v1/completions", r)->body);
  EXPECT_EQ(body["choices"][0]["text"], as_sent(full.substr(0, full.find(full[at]))));
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_LT(body["usage"]["completion_tokens"].get<int>(), 60);
}

TEST_F(ServeTest, BadRequestsAre400NamingTheField) {
  ServeOptions options;
  options.defaults.policy_options.judges = {"main=" + (dir / "missing.safetensors").string()};
  start(options);
  auto param_of = [&](const std::string& body, const std::string& path = "/v1/completions") {
    const auto res = client().Post(path.c_str(), body, "application/json");
    EXPECT_EQ(res->status, 400) << body << " -> " << res->body;
    const Json error = Json::parse(res->body)["error"];
    EXPECT_EQ(error["type"], "invalid_request_error");
    EXPECT_FALSE(error["message"].get<std::string>().empty());
    return error["param"].is_string() ? error["param"].get<std::string>() : "";
  };
  EXPECT_EQ(param_of("{\"prompt\": \"a\""), "body");
  EXPECT_EQ(param_of("[1]"), "body");
  EXPECT_EQ(param_of("{}"), "prompt");
  EXPECT_EQ(param_of(R"({"prompt": 5})"), "prompt");
  EXPECT_EQ(param_of(R"({"prompt": "a", "max_tokens": "x"})"), "max_tokens");
  EXPECT_EQ(param_of(R"({"prompt": "a", "max_tokens": 0})"), "max_tokens");
  EXPECT_EQ(param_of(R"({"prompt": "a", "max_tokens": 100000})"), "max_tokens");
  EXPECT_EQ(param_of(R"({"prompt": "a", "temperature": -1})"), "temperature");
  EXPECT_EQ(param_of(R"({"prompt": "a", "top_p": 2})"), "top_p");
  EXPECT_EQ(param_of(R"({"prompt": "a", "seed": -3})"), "seed");
  EXPECT_EQ(param_of(R"({"prompt": "a", "n": 2})"), "n");
  EXPECT_EQ(param_of(R"({"prompt": "a", "max_tokenz": 2})"), "max_tokenz");
  EXPECT_EQ(param_of(R"({"prompt": "a", "": 2})"), "body");  // found by the fuzz target
  EXPECT_EQ(param_of(R"({"prompt": "a", "temperature": 1e300})"), "temperature");
  EXPECT_EQ(param_of(R"({"prompt": "a", "stop": [1]})"), "stop");
  EXPECT_EQ(param_of(R"({"prompt": "a", "kv_policy": "nope"})"), "kv_policy");
  EXPECT_EQ(param_of(R"({"prompt": "a", "kv_policy": "golden", "kv_budget": 256})"), "kv_policy");
  EXPECT_EQ(param_of(R"({"prompt": "a", "kv_policy": "h2o"})"), "kv_budget");
  EXPECT_EQ(param_of(R"({"prompt": "a", "kv_policy": "streaming", "kv_budget": 130})"),
            "kv_budget");  // the 128 newest plus 4 sinks
  EXPECT_EQ(param_of(R"({"prompt": "a", "kv_policy": "h2o", "kv_judge": "main"})"), "kv_judge");
  EXPECT_EQ(param_of(R"({"prompt": "a", "kv_policy": "foresight", "kv_budget": 256,
                         "kv_judge": "other"})"),
            "kv_judge");
  EXPECT_EQ(param_of(R"({"prompt": "a", "kv_sinks": "many", "kv_policy": "h2o",
                         "kv_budget": 256})"),
            "kv_sinks");
  EXPECT_EQ(param_of(Json{{"prompt", std::string(40000, 'a')}}.dump()), "prompt");
  EXPECT_EQ(param_of(R"({"messages": []})", "/v1/chat/completions"), "messages");
  EXPECT_EQ(
      param_of(R"({"messages": [{"role": "robot", "content": "x"}]})", "/v1/chat/completions"),
      "messages");

  const auto big = client().Post("/v1/completions", std::string(70 << 10, ' '), "application/json");
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(client().Get("/nowhere")->status, 404);
  // Still serving.
  EXPECT_EQ(post("/v1/completions", request("x", 4, 1))->status, 200);
}

TEST_F(ServeTest, ApiKeyIsRequiredOnV1) {
  ServeOptions options;
  options.api_key = "sesame";
  start(options);
  EXPECT_EQ(post("/v1/completions", request("x", 4, 1))->status, 401);
  httplib::Client c = client();
  c.set_bearer_token_auth("wrong");
  EXPECT_EQ(c.Get("/v1/models")->status, 401);
  c.set_bearer_token_auth("sesame");
  EXPECT_EQ(c.Get("/v1/models")->status, 200);
  EXPECT_EQ(c.Post("/v1/completions", request("x", 4, 1).dump(), "application/json")->status, 200);
  EXPECT_EQ(client().Get("/health")->status, 200);
}

// 32 clients at once, full and budgeted policies mixed, under a cap that holds only some of
// them: every answer is the offline one, and the reserved bytes never pass the cap.
TEST_F(ServeTest, ThirtyTwoClientsAtOnceUnderTheCap) {
  const int64_t per_token = model->config().kv_bytes_per_token();
  ServeOptions options;
  options.limits.kv_memory = 8 * 64 * per_token;
  start(options);
  struct Case {
    std::string policy;
    int budget;
  };
  const Case cases[] = {{"full", 0}, {"h2o", 16}, {"streaming", 24}, {"snapkv", 16}};
  const int n = 32;
  std::vector<std::string> got(n), want(n);
  std::vector<std::thread> clients;
  for (int i = 0; i < n; ++i) {
    const Case& c = cases[i % 4];
    const std::string prompt = "request " + std::to_string(i);
    want[i] = as_sent(offline(prompt, 40, uint64_t(i), c.policy, c.budget));
    clients.emplace_back([&, i, c, prompt] {
      Json r = request(prompt, 40, uint64_t(i));
      r["kv_policy"] = c.policy;
      if (c.budget) r["kv_budget"] = c.budget;
      r["stream"] = i % 2 == 0;
      const auto res = post("/v1/completions", r);
      if (!res || res->status != 200) return;
      bool done = true;
      got[i] = r["stream"] ? streamed(res->body, false, &done)
                           : Json::parse(res->body)["choices"][0]["text"].get<std::string>();
      if (!done) got[i] = "(no [DONE])";
    });
  }
  for (std::thread& t : clients) t.join();
  for (int i = 0; i < n; ++i) EXPECT_EQ(got[i], want[i]) << "request " << i;
  EXPECT_LE(metric("kv_reserved_bytes_peak"), options.limits.kv_memory);
  EXPECT_GT(metric("kv_reserved_bytes_peak"), 0);
  EXPECT_EQ(metric("kv_reserved_bytes"), 0);
  EXPECT_EQ(metric("requests_total"), n);
}

// A reservation the cap cannot hold even alone is the client's to shrink: 400 naming max_tokens,
// while a budget that reserves less is served under the same cap.
TEST_F(ServeTest, ARequestOverTheCapIs400NamingMaxTokens) {
  ServeOptions options;
  options.limits.kv_memory = 200 * model->config().kv_bytes_per_token();
  start(options);
  const auto res = post("/v1/completions", request("too long", 300, 1));
  ASSERT_EQ(res->status, 400) << res->body;
  const Json error = Json::parse(res->body)["error"];
  EXPECT_EQ(error["param"], "max_tokens");
  EXPECT_NE(error["message"].get<std::string>().find("cannot hold even one sequence"),
            std::string::npos)
      << error["message"];
  Json budgeted = request("too long", 300, 1);
  budgeted["kv_policy"] = "h2o", budgeted["kv_budget"] = 64;
  EXPECT_EQ(post("/v1/completions", budgeted)->status, 200);
}

// Clients that go away mid-stream, malformed and oversized bodies among good requests: the good
// ones all complete, and every reservation is released.
TEST_F(ServeTest, ClientsThatGoAwayFreeTheirSlots) {
  ServeOptions options;
  options.limits.kv_memory = 4 * 300 * model->config().kv_bytes_per_token();
  start(options);
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 12; ++i)
    clients.emplace_back([&, i] {
      if (i % 3 == 0) {  // reads one chunk of a long stream, then hangs up
        stream(request("go away " + std::to_string(i), 250, uint64_t(i)),
               [](const char*, size_t, uint64_t, uint64_t) { return false; });
      } else if (i % 3 == 1) {
        httplib::Client c = client();
        c.Post("/v1/completions", i % 2 ? "{\"prompt\":" : std::string(70 << 10, 'x'),
               "application/json");
      } else {
        const auto res = post("/v1/completions", request("fine " + std::to_string(i), 30, 1));
        if (res && res->status == 200) ++good;
      }
    });
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(good, 4);
  for (int tries = 0; tries < 200 && metric("kv_reserved_bytes") != 0; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(metric("kv_reserved_bytes"), 0);
  EXPECT_EQ(metric("requests_running"), 0);
  EXPECT_EQ(metric("requests_waiting"), 0);
}

// A non-streamed answer finds its client gone too (the spaces it sends while the job runs), and
// frees the slot long before the generation would have ended.
TEST_F(ServeTest, AClientThatHangsUpBeforeItsAnswerFreesItsSlot) {
  start();
  const int max_tokens = int(model->config().max_position) - 64;  // seconds of decoding
  Json body = request("hang up", max_tokens, 1);
  body["ignore_eos"] = true;
  const std::string text = body.dump();
  const std::string message = fmt::format(
      "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\n\r\n{}",
      text.size(), text);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::send(fd, message.data(), message.size(), 0), ssize_t(message.size()));
  for (int tries = 0; tries < 1000 && metric("requests_running") != 1; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(metric("requests_running"), 1);
  ::close(fd);
  for (int tries = 0; tries < 500 && metric("requests_running") != 0; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(metric("requests_running"), 0);
  EXPECT_EQ(metric("kv_reserved_bytes"), 0);
  EXPECT_LT(metric("tokens_generated_total"), max_tokens);
  // The server goes on answering others, their JSON after the spaces.
  const auto res = post("/v1/completions", request("after", 20, 2));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(Json::parse(res->body)["usage"]["completion_tokens"], 20);
}

TEST_F(ServeTest, FullQueueIs503WithRetryAfter) {
  ServeOptions options;
  options.limits.kv_memory = 600 * model->config().kv_bytes_per_token();  // one request at once
  options.max_queue = 1;
  start(options);
  auto long_request = [&](const std::string& prompt) {
    Json r = request(prompt, 500, 1);
    r["ignore_eos"] = true;  // holds its slot for all 500 tokens
    return r;
  };
  std::atomic<bool> first_token{false};
  std::thread running([&] {
    stream(long_request("long"), [&](const char*, size_t, uint64_t, uint64_t) {
      first_token = true;
      return true;
    });
  });
  for (int tries = 0; tries < 1000 && !first_token; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::thread waiting([&] { post("/v1/completions", long_request("waits")); });
  for (int tries = 0; tries < 1000 && metric("requests_waiting") != 1; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto refused = post("/v1/completions", request("refused", 500, 3));
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
  EXPECT_EQ(metric("requests_rejected_total"), 1);
  running.join();
  waiting.join();
}

// The command: it prints its port, and SIGTERM lets the running request finish, then exits 0.
TEST(ServeCommand, SigtermDrainsTheRunningRequestAndExitsZero) {
  test::TempDir dir;
  write_random_model(dir / "model", RandomModelSpec{});
  const std::string log = (dir / "serve.log").string();
  const std::string command =
      "exec " + test::cli() + " serve --model " + (dir / "model").string() + " --port 0 2>" + log;
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  int port = 0;
  const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
  for (int tries = 0; tries < 500 && port == 0; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream in(log);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch m;
    if (std::regex_search(text, m, listening)) port = std::stoi(m[1]);
  }
  ASSERT_GT(port, 0) << "no port in the log";
  int status = 0;
  std::string body;
  std::thread client([&] {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    const auto res =
        c.Post("/v1/completions",
               Json{{"prompt", "drain"}, {"max_tokens", 2000}, {"ignore_eos", true}}.dump(),
               "application/json");
    if (res) status = res->status, body = res->body;
  });
  httplib::Client c("127.0.0.1", port);
  for (int tries = 0; tries < 500; ++tries) {
    const auto res = c.Get("/metrics");
    if (res && res->body.find("\nforesight_requests_running 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGTERM);
  client.join();
  int exit_status = -1;
  waitpid(pid, &exit_status, 0);
  EXPECT_EQ(status, 200) << body;
  EXPECT_EQ(Json::parse(body)["usage"]["completion_tokens"], 2000);
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
}

}  // namespace
}  // namespace foresight
