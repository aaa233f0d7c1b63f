#include "engine/transformer.hpp"

#include "core/error.hpp"
#include "core/gemm.hpp"
#include "core/kernels.hpp"
#include "core/parallel.hpp"
#include "engine/attention.hpp"
#include "engine/eviction.hpp"

namespace foresight {

namespace {

void add_bias(float* y, const std::vector<float>& bias, int64_t rows) {
  if (bias.empty()) return;
  const auto n = static_cast<int64_t>(bias.size());
  for (int64_t r = 0; r < rows; ++r) add_inplace(y + r * n, bias.data(), n);
}

// The rows of a pass, their norms on the threads.
void norm_rows(const float* x, const std::vector<float>& weight, int n, int hidden, double eps,
               float* out) {
  parallel_rows(n, [&](int64_t row) {
    rms_norm(x + row * hidden, weight.data(), hidden, eps, out + row * hidden);
  });
}

// A row of a pass: its sequence and position.
struct PassRow {
  Sequence* seq;
  int64_t position;
};

// The activations of one pass, reused across calls so decoding does not allocate per token.
struct Activations {
  std::vector<float> x, h, q, k, v, attn, proj, gate, up;
  std::vector<PassRow> rows;
  void resize(const ModelConfig& c, int64_t n) {
    const int64_t q_dim = int64_t{c.n_heads} * c.head_dim,
                  kv_dim = int64_t{c.n_kv_heads} * c.head_dim;
    x.resize(n * c.hidden), h.resize(n * c.hidden), proj.resize(n * c.hidden);
    q.resize(n * q_dim), attn.resize(n * q_dim);
    k.resize(n * kv_dim), v.resize(n * kv_dim);
    gate.resize(n * c.intermediate), up.resize(n * c.intermediate);
  }
};

// y = x W^T for the pass's rows. One sequence's chunk takes the fastest product; rows of
// several sequences take the product whose rows equal each row alone, so batched decoding
// gives every sequence exactly the numbers it gets decoded by itself.
using MatmulFn = void (*)(std::initializer_list<Product>, const float*, int64_t);

void attention_block(const Model& model, std::span<const SequenceRows> shares, int layer_index,
                     Activations& a, int n, MatmulFn mm) {
  const ModelConfig& c = model.config();
  const LayerWeights& l = model.layers()[layer_index];
  const int d = c.head_dim;
  norm_rows(a.x.data(), l.attn_norm, n, c.hidden, c.rms_eps, a.h.data());
  mm({{l.wq, a.q.data()}, {l.wk, a.k.data()}, {l.wv, a.v.data()}}, a.h.data(), n);
  add_bias(a.q.data(), l.q_bias, n);
  add_bias(a.k.data(), l.k_bias, n);
  add_bias(a.v.data(), l.v_bias, n);
  // Each row's q/k norms and rotation on the threads, then its key and value appended to its
  // sequence's cache in order.
  parallel_rows(n, [&](int64_t row) {
    float* q = a.q.data() + row * c.n_heads * d;
    float* k = a.k.data() + row * c.n_kv_heads * d;
    if (c.qk_norm) {
      rms_norm_rows(q, l.q_norm.data(), c.n_heads, d, c.rms_eps, q);
      rms_norm_rows(k, l.k_norm.data(), c.n_kv_heads, d, c.rms_eps, k);
    }
    const auto [seq, position] = a.rows[size_t(row)];
    model.rope().apply(q, c.n_heads, position);
    model.rope().apply(k, c.n_kv_heads, position);
    seq->keep_recent_query(layer_index, q, position);
  });
  for (int64_t row = 0; row < n; ++row) {
    const auto [seq, position] = a.rows[size_t(row)];
    const float* k = a.k.data() + row * c.n_kv_heads * d;
    const float* v = a.v.data() + row * c.n_kv_heads * d;
    for (int h = 0; h < c.n_kv_heads; ++h)
      seq->cache()
          .head(layer_index, h)
          .append(k + int64_t{h} * d, v + int64_t{h} * d, static_cast<int32_t>(position));
  }
  attend(c, shares, layer_index, a.q.data(), a.attn.data());
  // The sequences whose chunk ends here evict this layer, side by side (each its own state).
  std::vector<Sequence*> evicting;  // allocates only on the steps that evict
  for (const SequenceRows& share : shares) {
    const EvictionSchedule& s = share.seq->settings().schedule;
    if (s.active() && s.ends_chunk(share.seq->next_position() + share.n - 1))
      evicting.push_back(share.seq);
  }
  parallel_jobs(int64_t(evicting.size()), [&](int64_t i) {
    evict_layer(*evicting[size_t(i)], layer_index, c.group(), model.rope());
  });
  mm({{l.wo, a.proj.data()}}, a.attn.data(), n);
  add_bias(a.proj.data(), l.o_bias, n);
  add_inplace(a.x.data(), a.proj.data(), int64_t{n} * c.hidden);
}

void mlp_block(const Model& model, int layer_index, Activations& a, int n, MatmulFn mm) {
  const ModelConfig& c = model.config();
  const LayerWeights& l = model.layers()[layer_index];
  norm_rows(a.x.data(), l.mlp_norm, n, c.hidden, c.rms_eps, a.h.data());
  mm({{l.w_gate, a.gate.data()}, {l.w_up, a.up.data()}}, a.h.data(), n);
  parallel_rows(n, [&](int64_t row) {
    silu_mul(a.gate.data() + row * c.intermediate, a.up.data() + row * c.intermediate,
             c.intermediate);
  });
  mm({{l.w_down, a.proj.data()}}, a.gate.data(), n);
  add_inplace(a.x.data(), a.proj.data(), int64_t{n} * c.hidden);
}

// The forward pass over every share's rows (`ids` in row order). Returns the logits of each
// share's last row ([shares, vocab]) or of every row ([rows, vocab]).
std::vector<float> forward_rows(const Model& model, std::span<const SequenceRows> shares,
                                std::span<const int32_t> ids, LogitsWanted wanted) {
  const ModelConfig& c = model.config();
  const int n = static_cast<int>(ids.size());
  const MatmulFn mm =
      shares.size() == 1 ? static_cast<MatmulFn>(matmul) : static_cast<MatmulFn>(matmul_rowwise);
  thread_local Activations a;
  a.resize(c, n);
  const Matrix& embed = model.embedding();
  for (int i = 0; i < n; ++i) {
    if (ids[i] < 0 || ids[i] >= c.vocab)
      fail("token id {} is outside the vocabulary [0, {})", ids[i], c.vocab);
    convert_to_f32(embed.dtype, embed.row_ptr(ids[i]), a.x.data() + int64_t{i} * c.hidden,
                   static_cast<size_t>(c.hidden));
  }
  a.rows.clear();  // every layer's rows, in order
  for (const SequenceRows& share : shares) {
    share.seq->feed(ids.subspan(size_t(share.first_row), size_t(share.n)));
    for (int i = 0; i < share.n; ++i) a.rows.push_back({share.seq, share.seq->next_position() + i});
  }
  for (int layer = 0; layer < c.n_layers; ++layer) {
    attention_block(model, shares, layer, a, n, mm);
    mlp_block(model, layer, a, n, mm);
  }
  for (const SequenceRows& share : shares) share.seq->advance(share.n);

  // The rows whose logits are wanted, normed into h in order.
  int rows = 0;
  auto norm_row = [&](int row) {
    rms_norm(a.x.data() + int64_t{row} * c.hidden, model.final_norm().data(), c.hidden, c.rms_eps,
             a.h.data() + int64_t{rows++} * c.hidden);
  };
  if (wanted == LogitsWanted::All)
    for (int row = 0; row < n; ++row) norm_row(row);
  else
    for (const SequenceRows& share : shares) norm_row(share.first_row + share.n - 1);
  std::vector<float> logits(static_cast<size_t>(rows) * c.vocab);
  mm({{model.lm_head(), logits.data()}}, a.h.data(), rows);
  return logits;
}

}  // namespace

std::vector<float> forward_chunk(const Model& model, Sequence& seq, std::span<const int32_t> ids,
                                 LogitsWanted wanted) {
  const int n = static_cast<int>(ids.size());
  if (n == 0) fail("forward_chunk: empty chunk of tokens");
  const EvictionSchedule& s = seq.settings().schedule;
  const int64_t first = seq.next_position();
  if (s.active() && first / s.evict_every != (first + n - 1) / s.evict_every)
    fail("forward_chunk: tokens {}..{} cross a chunk boundary of the schedule (L = {})", first,
         first + n - 1, s.evict_every);
  const SequenceRows share{&seq, 0, n};
  return forward_rows(model, std::span(&share, 1), ids, wanted);
}

std::vector<float> forward_batch(const Model& model, std::span<Sequence* const> sequences,
                                 std::span<const int32_t> ids) {
  if (sequences.empty()) fail("forward_batch: no sequences");
  if (ids.size() != sequences.size())
    fail("forward_batch: {} tokens for {} sequences", ids.size(), sequences.size());
  std::vector<SequenceRows> shares;
  for (Sequence* seq : sequences) {
    for (const SequenceRows& other : shares)
      if (other.seq == seq) fail("forward_batch: a sequence appears twice in the batch");
    shares.push_back({seq, int(shares.size()), 1});
  }
  return forward_rows(model, shares, ids, LogitsWanted::Last);
}

void forward_tokens(const Model& model, Sequence& seq, std::span<const int32_t> ids,
                    LogitsWanted wanted, const LogitsCallback& on_logits, int max_chunk) {
  if (ids.empty()) fail("forward_tokens: no tokens");
  if (max_chunk < 1) fail("forward_tokens: max chunk must be >= 1");
  size_t begin = 0;
  while (begin < ids.size()) {
    // Cut at chunk boundaries even without eviction, so that a run under any policy does the
    // same arithmetic as the full cache until its first eviction.
    const int64_t L = seq.settings().schedule.evict_every;
    const int64_t room = std::min<int64_t>(max_chunk, L - seq.next_position() % L);
    const size_t n = std::min<size_t>(ids.size() - begin, size_t(room));
    const auto logits = forward_chunk(model, seq, ids.subspan(begin, n), wanted);
    if (wanted == LogitsWanted::All) on_logits(begin, logits);
    else if (begin + n == ids.size()) on_logits(begin + n - 1, logits);
    begin += n;
  }
}

std::vector<float> forward_tokens(const Model& model, Sequence& seq, std::span<const int32_t> ids,
                                  LogitsWanted wanted, int max_chunk) {
  std::vector<float> logits;
  forward_tokens(
      model, seq, ids, wanted,
      [&](size_t, std::span<const float> part) {
        logits.insert(logits.end(), part.begin(), part.end());
      },
      max_chunk);
  return logits;
}

}  // namespace foresight
