// Test tooling: runs a GGUF file with llama.cpp (node-llama-cpp's prebuilt CPU libraries) and
// prints, as JSON, the ids llama.cpp tokenizes PROMPT to (no BOS added, special tokens parsed)
// and the N tokens greedy decoding then generates. fetch.sh builds it against the bundle's
// llama.h; tests/gguf_test.cpp compares both with foresight's.
//   greedy BACKEND_DIR MODEL.gguf N PROMPT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"

static void quiet(enum ggml_log_level level, const char* text, void* user) {
  (void)user;
  if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: greedy BACKEND_DIR MODEL.gguf N PROMPT\n");
    return 2;
  }
  const int n_new = atoi(argv[3]);
  llama_log_set(quiet, NULL);
  ggml_backend_load_all_from_path(argv[1]);
  llama_backend_init();
  struct llama_model_params mp = llama_model_default_params();
  struct llama_model* model = llama_model_load_from_file(argv[2], mp);
  if (model == NULL) {
    fprintf(stderr, "greedy: llama.cpp cannot load %s\n", argv[2]);
    return 1;
  }
  const struct llama_vocab* vocab = llama_model_get_vocab(model);
  struct llama_context_params cp = llama_context_default_params();
  cp.n_ctx = 512;
  cp.n_batch = 512;
  cp.n_threads = cp.n_threads_batch = 1;
  cp.type_k = cp.type_v = GGML_TYPE_F32;  // foresight's cache holds fp32
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  struct llama_context* ctx = llama_init_from_model(model, cp);
  if (ctx == NULL) return 1;

  llama_token ids[512];
  const int n = llama_tokenize(vocab, argv[4], (int)strlen(argv[4]), ids, 256, false, true);
  if (n <= 0) {
    fprintf(stderr, "greedy: cannot tokenize the prompt\n");
    return 1;
  }
  printf("{\"prompt\": [");
  for (int i = 0; i < n; ++i) printf("%s%d", i ? ", " : "", ids[i]);
  printf("], \"generated\": [");
  const int n_vocab = llama_vocab_n_tokens(vocab);
  struct llama_batch batch = llama_batch_get_one(ids, n);
  for (int step = 0; step < n_new; ++step) {
    if (llama_decode(ctx, batch) != 0) return 1;
    const float* logits = llama_get_logits_ith(ctx, -1);
    int best = 0;
    for (int j = 1; j < n_vocab; ++j)
      if (logits[j] > logits[best]) best = j;
    printf("%s%d", step ? ", " : "", best);
    ids[n + step] = best;
    batch = llama_batch_get_one(&ids[n + step], 1);
  }
  printf("]}\n");
  llama_free(ctx);
  llama_model_free(model);
  return 0;
}
