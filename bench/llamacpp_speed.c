// Benchmark tooling: llama.cpp's prefill and decode speed on a GGUF file, for
// bench/vs_llamacpp.sh, which builds it against the llama.h of node-llama-cpp's bundle and its
// prebuilt CPU libraries. The work matches bench/engine_bench.cpp's: the same token ids, a
// prompt of PROMPT tokens in one batch, then DECODE single-token steps, logits of the last
// token each time, an fp32 KV cache (foresight's) without flash attention, after an untimed
// warm-up. Prints "prefill_tok_s decode_tok_s".
//   llamacpp_speed BACKEND_DIR MODEL.gguf PROMPT DECODE THREADS
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "llama.h"

static void quiet(enum ggml_log_level level, const char* text, void* user) {
  (void)user;
  if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// Runs `n` ids (a prompt, or one token) and reads the last token's logits.
static int run(struct llama_context* ctx, llama_token* ids, int n) {
  if (llama_decode(ctx, llama_batch_get_one(ids, n)) != 0) return 1;
  return llama_get_logits_ith(ctx, -1) == NULL;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: llamacpp_speed BACKEND_DIR MODEL.gguf PROMPT DECODE THREADS\n");
    return 2;
  }
  const int prompt_len = atoi(argv[3]), decode_len = atoi(argv[4]), threads = atoi(argv[5]);
  if (prompt_len < 1 || decode_len < 1 || threads < 1) {
    fprintf(stderr, "llamacpp_speed: PROMPT, DECODE and THREADS must be positive\n");
    return 2;
  }
  llama_log_set(quiet, NULL);
  ggml_backend_load_all_from_path(argv[1]);
  llama_backend_init();
  struct llama_model* model = llama_model_load_from_file(argv[2], llama_model_default_params());
  if (model == NULL) {
    fprintf(stderr, "llamacpp_speed: llama.cpp cannot load %s\n", argv[2]);
    return 1;
  }
  const int vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
  struct llama_context_params cp = llama_context_default_params();
  cp.n_ctx = (uint32_t)(prompt_len + decode_len + 16);
  cp.n_batch = cp.n_ubatch = (uint32_t)prompt_len;
  cp.n_threads = cp.n_threads_batch = threads;
  cp.type_k = cp.type_v = GGML_TYPE_F32;
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  struct llama_context* ctx = llama_init_from_model(model, cp);
  if (ctx == NULL) return 1;

  llama_token* prompt = malloc(sizeof(llama_token) * (size_t)prompt_len);
  for (int i = 0; i < prompt_len; ++i) prompt[i] = (llama_token)((i * 7919 + 13) % vocab);
  // warm-up: thread pools, buffers, the first touch of the weights
  if (run(ctx, prompt, prompt_len < 16 ? prompt_len : 16) != 0) return 1;
  llama_memory_clear(llama_get_memory(ctx), true);

  double t0 = now();
  if (run(ctx, prompt, prompt_len) != 0) return 1;
  const double prefill = prompt_len / (now() - t0);
  llama_token token = 1;
  t0 = now();
  for (int i = 0; i < decode_len; ++i) {
    token = (token * 31 + 7) % vocab;
    if (run(ctx, &token, 1) != 0) return 1;
  }
  const double decode = decode_len / (now() - t0);
  printf("%.2f %.2f\n", prefill, decode);
  free(prompt);
  llama_free(ctx);
  llama_model_free(model);
  return 0;
}
