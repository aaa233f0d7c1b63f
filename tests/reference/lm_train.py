#!/usr/bin/env python3
"""PyTorch reference of the C++ trainer (src/lm), for its parity test and its benchmark.

The same model (Qwen3, tied embeddings, q/k norms, GQA), from the same initial weights,
trained on the same batch with the same AdamW settings (betas 0.9/0.95, eps 1e-8, weight
decay 0.1 on matrices, gradient clip 1.0, constant learning rate), written the way a PyTorch
user would (eager mode, fp32), from the published formulas (Qwen3 technical report; RoPE in
the "rotate half" layout; Loshchilov & Hutter's AdamW as torch.optim.AdamW implements it).
Two ways to run a batch of mixed lengths: "padded" (one [B, T_max] batch, causal mask,
padding ignored by the loss) and "per-sequence" (one sequence at a time, gradients
accumulated).

Usage: /usr/bin/python3 tests/reference/lm_train.py --dir DIR [--threads 2]
                        [--modes padded,per-sequence]
DIR holds model/ (a Hugging Face directory with F32 weights) and batch.json
({"sequences": [{"ids": [...], "first_target": k}, ...], "lr": x, "steps": n}), as
build/bench/lm_train_bench --out DIR writes them. Prints one JSON line per mode: tokens/s over
the steps after the first, the wall and CPU seconds of each timed step, and the loss of every
step.
"""
import argparse, json, math, os, struct, sys, time
import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            sys.exit(f"lm_train.py: {name}: expected F32")
        b, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], "<f4").copy().reshape(info["shape"]))
    return out


class RMSNorm(torch.nn.Module):
    def __init__(self, weight, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(weight)
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def linear(w):
    layer = torch.nn.Linear(w.shape[1], w.shape[0], bias=False)
    layer.weight = torch.nn.Parameter(w)
    return layer


def rotate(x, cos, sin):  # the "rotate half" RoPE layout
    h = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., h:], x[..., :h]), dim=-1) * sin


class Layer(torch.nn.Module):
    def __init__(self, cfg, w, p):
        super().__init__()
        eps = cfg["rms_norm_eps"]
        self.H, self.Hk, self.d = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
        self.attn_norm = RMSNorm(w[p + "input_layernorm.weight"], eps)
        self.q = linear(w[p + "self_attn.q_proj.weight"])
        self.k = linear(w[p + "self_attn.k_proj.weight"])
        self.v = linear(w[p + "self_attn.v_proj.weight"])
        self.q_norm = RMSNorm(w[p + "self_attn.q_norm.weight"], eps)
        self.k_norm = RMSNorm(w[p + "self_attn.k_norm.weight"], eps)
        self.o = linear(w[p + "self_attn.o_proj.weight"])
        self.mlp_norm = RMSNorm(w[p + "post_attention_layernorm.weight"], eps)
        self.gate = linear(w[p + "mlp.gate_proj.weight"])
        self.up = linear(w[p + "mlp.up_proj.weight"])
        self.down = linear(w[p + "mlp.down_proj.weight"])

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        h = self.attn_norm(x)
        q = self.q_norm(self.q(h).view(B, T, self.H, self.d)).transpose(1, 2)
        k = self.k_norm(self.k(h).view(B, T, self.Hk, self.d)).transpose(1, 2)
        v = self.v(h).view(B, T, self.Hk, self.d).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        g = self.H // self.Hk
        k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        s = q @ k.transpose(-1, -2) / math.sqrt(self.d) + mask
        a = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, self.H * self.d)
        x = x + self.o(a)
        h = self.mlp_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(torch.nn.Module):
    def __init__(self, cfg, w):
        super().__init__()
        self.embed = torch.nn.Parameter(w["model.embed_tokens.weight"])
        self.layers = torch.nn.ModuleList(
            Layer(cfg, w, f"model.layers.{i}.") for i in range(cfg["num_hidden_layers"]))
        self.norm = RMSNorm(w["model.norm.weight"], cfg["rms_norm_eps"])
        d = cfg["head_dim"]
        self.inv_freq = cfg["rope_theta"] ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)

    def forward(self, ids):
        T = ids.shape[1]
        ang = torch.arange(T, dtype=torch.float64)[:, None] * self.inv_freq[None, :]
        cos = torch.cat((ang.cos(), ang.cos()), -1).float()
        sin = torch.cat((ang.sin(), ang.sin()), -1).float()
        mask = torch.full((T, T), float("-inf")).triu(1)
        x = F.embedding(ids, self.embed)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.norm(x) @ self.embed.T


def make_optimizer(model, lr):
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                              {"params": no_decay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.95), eps=1e-8)


def examples(batch):
    out = []
    for s in batch["sequences"]:
        ids, first = s["ids"], s["first_target"]
        inputs = torch.tensor(ids[:-1])
        targets = torch.tensor([ids[t + 1] if t + 1 >= first else -100 for t in range(len(ids) - 1)])
        out.append((inputs, targets))
    return out


def step_padded(model, opt, data, count):
    T = max(len(i) for i, _ in data)
    ids = torch.zeros(len(data), T, dtype=torch.long)
    targets = torch.full((len(data), T), -100, dtype=torch.long)
    for b, (i, t) in enumerate(data):
        ids[b, :len(i)], targets[b, :len(t)] = i, t
    logits = model(ids)
    loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1), ignore_index=-100,
                           reduction="sum") / count
    opt.zero_grad(set_to_none=True)
    loss.backward()
    return loss


def step_per_sequence(model, opt, data, count):
    opt.zero_grad(set_to_none=True)
    total = 0.0
    for i, t in data:
        logits = model(i[None, :])
        loss = F.cross_entropy(logits[0], t, ignore_index=-100, reduction="sum") / count
        loss.backward()
        total += loss.item()
    return torch.tensor(total)


def run(mode, directory, batch, threads):
    with open(os.path.join(directory, "model", "config.json")) as f:
        cfg = json.load(f)
    model = Model(cfg, read_safetensors(os.path.join(directory, "model", "model.safetensors")))
    opt = make_optimizer(model, batch["lr"])
    data = examples(batch)
    count = sum(int((t >= 0).sum()) for _, t in data)
    tokens = sum(len(i) for i, _ in data)
    step = step_padded if mode == "padded" else step_per_sequence
    losses, seconds, cpu_seconds = [], [], []
    for k in range(batch["steps"] + 1):  # step 0 is untimed, as in the C++ benchmark
        t0, c0 = time.perf_counter(), time.process_time()
        loss = step(model, opt, data, count)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if k > 0:
            seconds.append(time.perf_counter() - t0)
            cpu_seconds.append(time.process_time() - c0)
        losses.append(float(loss))
    return {"implementation": "pytorch-" + mode, "torch": torch.__version__, "threads": threads,
            "tokens_per_step": tokens, "tokens_per_second": tokens * len(seconds) / sum(seconds),
            "step_seconds": seconds, "step_cpu_seconds": cpu_seconds, "losses": losses}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--modes", default="padded,per-sequence")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.dir, "batch.json")) as f:
        batch = json.load(f)
    for mode in a.modes.split(","):
        print(json.dumps(run(mode, a.dir, batch, a.threads)), flush=True)


if __name__ == "__main__":
    main()
