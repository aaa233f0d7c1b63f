#!/usr/bin/env bash
# Writes the seed corpus of every fuzz target, one folder per target under OUT, from files the
# project itself makes (a tiny random model, its tokenizer, a judge, tasks, traces) and its
# test fixtures, so that no binary seed is committed.
#   fuzz/make_corpus.sh FORESIGHT_BINARY OUT
set -euo pipefail
foresight=$(realpath "$1")
out=$2
cd "$(dirname "$0")/.."
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'echo "make_corpus.sh: failed at line $LINENO" >&2' ERR

seed() {  # seed TARGET NAME FILE: copies FILE in as TARGET's seed NAME
  mkdir -p "$out/$1"
  cp "$3" "$out/$1/$2"
}
text_seed() {  # text_seed TARGET NAME TEXT (printf escapes allowed)
  mkdir -p "$out/$1"
  printf "$3" > "$out/$1/$2"
}

# Models: the tiny preset in each architecture and dtype, and one in two shards.
"$foresight" random-model --out "$work/tiny" --preset tiny 2>/dev/null
"$foresight" random-model --out "$work/tiny-bf16" --preset tiny --dtype bf16 2>/dev/null
"$foresight" random-model --out "$work/tiny-f16" --preset tiny --dtype f16 2>/dev/null
"$foresight" random-model --out "$work/llama" --preset tiny --arch llama 2>/dev/null
"$foresight" random-model --out "$work/qwen2" --preset tiny --arch qwen2 2>/dev/null
"$foresight" random-model --out "$work/sharded" --preset tiny --shards 2 2>/dev/null
for m in tiny llama qwen2; do seed config_fuzz "$m.json" "$work/$m/config.json"; done
for m in tiny tiny-bf16 tiny-f16; do seed model_weights_fuzz "$m" "$work/$m/model.safetensors"; done
seed model_index_fuzz index.json "$work/sharded/model.safetensors.index.json"
seed tokenizer_json_fuzz byte_level.json "$work/tiny/tokenizer.json"
for m in tiny llama qwen2; do
  "$foresight" export-gguf --model "$work/$m" --out "$work/$m.gguf" 2>/dev/null
  seed gguf_fuzz "$m.gguf" "$work/$m.gguf"
done
"$foresight" export-gguf --model "$work/tiny" --out "$work/tiny-f16.gguf" --dtype f16 2>/dev/null
seed gguf_fuzz tiny-f16.gguf "$work/tiny-f16.gguf"

# Datasets, a judge and traces.
for family in program pointer carry; do
  "$foresight" tasks --family "$family" --n 3 --out "$work/$family.jsonl" 2>/dev/null
  seed dataset_fuzz "$family.jsonl" "$work/$family.jsonl"
done
"$foresight" tasks --family carry --n 2 --knob digits=2 --knob steps=2 --out "$work/short.jsonl" \
  2>/dev/null
"$foresight" traces --model "$work/tiny" --dataset "$work/short.jsonl" --out "$work/traces.safetensors" \
  --max-new-tokens 8 --kv-memory 64M 2>/dev/null
"$foresight" judge-init --model "$work/tiny" --budget 64 --evict-every 32 --out "$work/judge.safetensors" >/dev/null
seed judge_fuzz judge.safetensors "$work/judge.safetensors"
# trace_fuzz: the first byte picks the format (0: safetensors, 1: JSONL).
mkdir -p "$out/trace_fuzz"
{ printf '\0'; cat "$work/traces.safetensors"; } > "$out/trace_fuzz/traces.safetensors"
text_seed trace_fuzz traces.jsonl '\001{"ids": [1, 2, 3, 4], "prompt_len": 2, "id": "a", "group": "g"}\n{"ids": [5, 6], "prompt_len": 1}\n'
for f in judge.safetensors traces.safetensors; do seed safetensors_fuzz "$f" "$work/$f"; done
seed safetensors_fuzz shard.safetensors "$work/sharded/model-00002-of-00002.safetensors"

# Text: task prompts and traces, the tokenizer fixture's lines, and some invalid UTF-8.
split -l 1 -a 3 tests/fixtures/qwen3_tokenizer_fixture.jsonl "$work/line-"
for f in $(ls "$work"/line-* | head -40) "$work"/short.jsonl "$work"/program.jsonl; do
  seed tokenizer_encode_fuzz "$(basename "$f")" "$f"
done
text_seed tokenizer_encode_fuzz invalid_utf8 'caf\xc3\xa9 \xe2\x82 \xff\xfe<|im_start|>user\n\xf0\x9f\x98\x80 x\xcc\x81'
text_seed answer_fuzz boxed 'so the answer is \\boxed{\\frac{1}{2}}.\0\\dfrac{1}{2}'
text_seed answer_fuzz integer 'we get \\boxed{1,000} \\text{ apples}\0001000'
text_seed answer_fuzz answer_line 'step 1\nanswer: 42\r\n\00042'
seed answer_fuzz carry.jsonl "$work/carry.jsonl"
seed train_config_fuzz bundled.json models/bundled_v1/train.json
text_seed train_config_fuzz minimal.json '{"optimizer": {"steps": 10}, "data": {"train": "a.jsonl"}}'
echo "fuzz seeds in $out: $(find "$out" -type f | wc -l) files" >&2

# Completion requests (the first byte: 0 for /v1/completions, 1 for /v1/chat/completions).
text_seed completion_request_fuzz completion '\000{"prompt": "The cat", "max_tokens": 16, "temperature": 0.8, "top_p": 0.9, "top_k": 40, "seed": 7, "stop": ["\\n", "."], "stream": true, "stream_options": {"include_usage": true}}'
text_seed completion_request_fuzz eviction '\000{"prompt": "x", "kv_policy": "snapkv:window=8", "kv_budget": 256, "kv_evict_every": 32, "kv_sinks": "prompt", "kv_judge": "rl", "n": 1, "model": "m"}'
text_seed completion_request_fuzz chat '\001{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}], "max_completion_tokens": 8}'
