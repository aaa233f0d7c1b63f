#!/usr/bin/env python3
"""Independent float64 reference forward pass for Hugging Face causal LMs.

Supports Qwen3ForCausalLM, Qwen2ForCausalLM and LlamaForCausalLM checkpoints
stored as safetensors. Written from the published formulas, not from the
transformers library:
  * RMSNorm: Zhang & Sennrich 2019, "Root Mean Square Layer Normalization".
  * RoPE: Su et al. 2021, "RoFormer", in the HF "rotate_half" layout; the
    "llama3" rope_scaling from Meta's Llama 3.1 release (Dubey et al. 2024).
  * SwiGLU MLP: Shazeer 2020; GQA: Ainslie et al. 2023; the overall block
    layout from Touvron et al. 2023 (Llama), Qwen2 (biased q/k/v) and Qwen3
    (per-head q_norm/k_norm before RoPE) technical reports.
  * Field meanings as in the HF config.json files: hidden_size,
    num_attention_heads, num_key_value_heads, head_dim, rms_norm_eps,
    rope_theta, rope_scaling, tie_word_embeddings, num_hidden_layers.

Usage:
  /usr/bin/python3 tests/reference/hf_forward.py --model DIR --ids 1,2,3 --out FILE
Writes logits for every position as raw little-endian float32 [n, vocab].
"""
import argparse, json, math, os, struct, sys
import numpy as np
import torch

ARCHS = ("Qwen3ForCausalLM", "Qwen2ForCausalLM", "LlamaForCausalLM")


def die(msg):
    sys.exit(f"hf_forward.py: error: {msg}")


def read_safetensors(path, out):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        raw, dt = data[b:e], info["dtype"]
        if dt == "F32":
            a = np.frombuffer(raw, "<f4")
        elif dt == "F16":
            a = np.frombuffer(raw, "<f2")
        elif dt == "BF16":
            a = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            die(f"{path}: tensor {name} has unsupported dtype {dt}")
        out[name] = torch.from_numpy(a.astype(np.float64).reshape(info["shape"]))


def load_weights(model_dir):
    single = os.path.join(model_dir, "model.safetensors")
    index = os.path.join(model_dir, "model.safetensors.index.json")
    w = {}
    if os.path.exists(single):
        read_safetensors(single, w)
    elif os.path.exists(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        for s in shards:
            read_safetensors(os.path.join(model_dir, s), w)
    else:
        die(f"no model.safetensors or model.safetensors.index.json in {model_dir}")
    return w


def rmsnorm(x, w, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def rope_inv_freq(cfg, d):
    theta = cfg.get("rope_theta", 10000.0)
    inv = theta ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    rs = cfg.get("rope_scaling")
    if rs:
        kind = rs.get("rope_type", rs.get("type"))
        if kind == "default":
            return inv
        if kind != "llama3":
            die(f"unsupported rope_scaling type {kind!r}")
        factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        orig = rs["original_max_position_embeddings"]
        wavelen = 2 * math.pi / inv
        smooth = (orig / wavelen - lo) / (hi - lo)
        mid = (1 - smooth) * inv / factor + smooth * inv
        inv = torch.where(wavelen < orig / hi, inv,
                          torch.where(wavelen > orig / lo, inv / factor, mid))
    return inv


def apply_rope(x, cos, sin):  # x: [n, heads, d]; cos/sin: [n, 1, d]
    h = x.shape[-1] // 2
    rot = torch.cat((-x[..., h:], x[..., :h]), dim=-1)
    return x * cos + rot * sin


def forward(cfg, w, ids):
    arch = (cfg.get("architectures") or [None])[0]
    if arch not in ARCHS:
        die(f"unsupported architecture {arch!r}")
    get = lambda k: w[k] if k in w else die(f"missing tensor {k}")
    eps = cfg["rms_norm_eps"]
    H = cfg["num_attention_heads"]
    Hk = cfg.get("num_key_value_heads") or H
    d = cfg.get("head_dim") or cfg["hidden_size"] // H
    n = len(ids)
    emb = get("model.embed_tokens.weight")
    if max(ids) >= emb.shape[0] or min(ids) < 0:
        die(f"token id out of range [0, {emb.shape[0]})")
    x = emb[torch.tensor(ids)]
    ang = torch.arange(n, dtype=torch.float64)[:, None] * rope_inv_freq(cfg, d)[None, :]
    cos = torch.cat((ang.cos(), ang.cos()), -1)[:, None, :]
    sin = torch.cat((ang.sin(), ang.sin()), -1)[:, None, :]
    mask = torch.ones(n, n, dtype=torch.bool).tril()

    def lin(h, name):
        y = h @ get(name + ".weight").T
        return y + w[name + ".bias"] if name + ".bias" in w else y

    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rmsnorm(x, get(p + "input_layernorm.weight"), eps)
        q = lin(h, p + "self_attn.q_proj").view(n, H, d)
        k = lin(h, p + "self_attn.k_proj").view(n, Hk, d)
        v = lin(h, p + "self_attn.v_proj").view(n, Hk, d)
        if arch == "Qwen3ForCausalLM":
            q = rmsnorm(q, get(p + "self_attn.q_norm.weight"), eps)
            k = rmsnorm(k, get(p + "self_attn.k_norm.weight"), eps)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        out = torch.empty(n, H, d, dtype=torch.float64)
        for hd in range(H):
            kv = hd // (H // Hk)
            s = q[:, hd, :] @ k[:, kv, :].T / math.sqrt(d)
            s = s.masked_fill(~mask, float("-inf"))
            out[:, hd, :] = torch.softmax(s, dim=-1) @ v[:, kv, :]
        x = x + lin(out.reshape(n, H * d), p + "self_attn.o_proj")
        h = rmsnorm(x, get(p + "post_attention_layernorm.weight"), eps)
        g = lin(h, p + "mlp.gate_proj")
        x = x + lin(g * torch.sigmoid(g) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rmsnorm(x, get("model.norm.weight"), eps)
    W = emb if cfg.get("tie_word_embeddings", False) else get("lm_head.weight")
    return x @ W.T


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="HF checkpoint directory")
    ap.add_argument("--ids", required=True, help="comma-separated token ids")
    ap.add_argument("--out", required=True, help="output file (raw f32 [n, vocab])")
    a = ap.parse_args()
    try:
        ids = [int(t) for t in a.ids.split(",") if t.strip()]
    except ValueError:
        die(f"bad --ids {a.ids!r}")
    if not ids:
        die("--ids is empty")
    try:
        with open(os.path.join(a.model, "config.json")) as f:
            cfg = json.load(f)
        logits = forward(cfg, load_weights(a.model), ids)
        logits.numpy().astype("<f4").tofile(a.out)
    except (OSError, KeyError, ValueError, RuntimeError) as e:
        die(f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
