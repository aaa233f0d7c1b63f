// The log-probability of an eviction set drawn by the judge's sampler (docs/method.md section 7),
// as a function of the pooled candidates' scores, for the policy gradient of GRPO (docs/method.md
// section 6).
//
// The pool is fixed to the one the draw came from (the top 2k phi of the judge that drew), so
// the log-probability is a smooth function of the new scores; re-selecting the top 2k under new
// parameters would make it jump whenever the pool's membership changed. Scores are given with
// the k drawn candidates first, in draw order, then the rest of the pool:
//  - exact: the Plackett-Luce likelihood of that ordered draw,
//        log p = sum_{t<k} [phi_t - log sum_{j>=t} exp(phi_j)];
//  - surrogate (the reference implementation's): the sum over the drawn candidates of their
//    log-softmax over the whole pool, sum_{t<k} [phi_t - log sum_j exp(phi_j)].
#pragma once
#include <span>
#include <string_view>

namespace foresight {

enum class DrawLogProb { Exact, Surrogate };

// "exact" or "surrogate"; anything else is an error naming --log-prob.
DrawLogProb parse_draw_log_prob(std::string_view name);
std::string_view draw_log_prob_name(DrawLogProb kind);

// log p of drawing phi[0..drawn) in that order from the pool phi. With a non-empty `dphi`
// (size of phi) also writes d log p / d phi.
double draw_log_prob(std::span<const float> phi, int drawn, DrawLogProb kind,
                     std::span<float> dphi = {});

}  // namespace foresight
