#include <cstdio>

#include "cli/commands.hpp"
#include "cli/judge_options.hpp"
#include "cli/recent_option.hpp"
#include "cli/weights_option.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "engine/generate.hpp"
#include "model/chat.hpp"
#include "model/tokenizer.hpp"
#include "model/utf8.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string model, prompt, prompt_file, policy = "full", weights;
  bool chat = false, think = false;
  std::string sinks;   // "": the policy's default
  std::string recent;  // "": the policy's default
  GenerateSettings gen;
  PolicyOptions policy_options;
};

void run(const Options& o) {
  auto model = Model::load(o.model, load_options(o.weights));
  const Tokenizer tokenizer = Tokenizer::for_model(o.model);
  std::string text = o.prompt_file.empty() ? o.prompt : read_text_file(o.prompt_file);
  if (o.chat) text = format_chat_prompt(text, o.think);
  const std::vector<int32_t> prompt = tokenizer.encode(text);
  if (prompt.empty()) fail("--prompt: the prompt encodes to no tokens");

  GenerateSettings settings = o.gen;
  settings.stop_ids = model->config().eos_ids;
  PolicyOptions policy_options = o.policy_options;
  policy_options.model = &model->config();
  settings.policy = make_policy(o.policy, policy_options);
  settings.schedule.set_sinks(o.sinks, default_sinks(settings.policy.get()));
  settings.schedule.set_recent(o.recent.empty() ? default_recent(settings.policy.get()) : o.recent);
  if (settings.policy && settings.schedule.budget == 0)
    fail("--policy {} needs --budget", o.policy);
  settings.sampling.vocab_limit = tokenizer.vocab_size();
  // Text is streamed as whole UTF-8 characters: bytes of a character split across tokens are
  // held back until the character is complete.
  std::string pending;
  auto on_token = [&](int32_t id) {
    if (tokenizer.is_special(id)) return;
    const int32_t ids[1] = {id};
    pending += tokenizer.decode(ids);
    const size_t complete = complete_utf8_length(pending);
    std::fwrite(pending.data(), 1, complete, stdout);
    std::fflush(stdout);
    pending.erase(0, complete);
  };
  const GenerateResult r = generate(*model, prompt, settings, on_token);
  std::fwrite(pending.data(), 1, pending.size(), stdout);
  std::printf("\n");
  const auto generated = r.tokens.size();
  std::fprintf(
      stderr,
      "prompt %zu tokens, generated %zu tokens (%s); prefill %.1f tok/s, decode %.1f "
      "tok/s; peak KV %.2f MiB; %lld evictions (%lld entries, %.1f%% of the time); policy %s; "
      "seed %llu\n",
      prompt.size(), generated, r.stopped ? "stop token" : "token limit",
      double(prompt.size()) / std::max(r.prefill_seconds, 1e-9),
      generated > 1 ? double(generated - 1) / std::max(r.decode_seconds, 1e-9) : 0.0,
      double(r.peak_kv_bytes) / (1 << 20), static_cast<long long>(r.evictions),
      static_cast<long long>(r.evicted_entries),
      100 * r.eviction_seconds / std::max(r.prefill_seconds + r.decode_seconds, 1e-9),
      o.policy.c_str(), static_cast<unsigned long long>(settings.sampling.seed));
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "generate text from a prompt");
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->model, "model directory or GGUF file")->required();
  add_weights_option(cmd, o->weights);
  auto* prompt = cmd->add_option("--prompt", o->prompt, "prompt text");
  auto* prompt_file = cmd->add_option("--prompt-file", o->prompt_file, "file holding the prompt");
  prompt->excludes(prompt_file);
  cmd->add_flag("--chat", o->chat, "wrap the prompt in the ChatML chat template");
  cmd->add_flag("--think", o->think, "with --chat: open the assistant turn with <think>");
  cmd->add_option("--max-new-tokens", o->gen.max_new_tokens)->capture_default_str();
  cmd->add_option("--temperature", o->gen.sampling.temperature, "0 = greedy")
      ->capture_default_str();
  cmd->add_option("--top-k", o->gen.sampling.top_k, "0 = no limit")->capture_default_str();
  cmd->add_option("--top-p", o->gen.sampling.top_p)->capture_default_str();
  cmd->add_option("--seed", o->gen.sampling.seed)->capture_default_str();
  cmd->add_option("--policy", o->policy,
                  "eviction policy: full, random, streaming, h2o, tova, "
                  "snapkv, rkv, foresight")
      ->capture_default_str();
  add_judge_options(cmd, o->policy_options);
  cmd->add_option("--budget", o->gen.schedule.budget, "KV entries kept per (layer, KV head)");
  cmd->add_option("--evict-every", o->gen.schedule.evict_every, "eviction length L")
      ->capture_default_str();
  cmd->add_option("--sinks", o->sinks,
                  "first tokens never evicted: N, or 'prompt' for every "
                  "prompt token (default: 4 for streaming, else 0)");
  add_recent_option(cmd, o->recent);
  cmd->callback([o, prompt, prompt_file] {
    if (prompt->count() == 0 && prompt_file->count() == 0)
      fail("generate: give --prompt or --prompt-file");
    run(*o);
  });
}

}  // namespace foresight::cli
