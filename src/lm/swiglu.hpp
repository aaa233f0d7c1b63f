// The SwiGLU activation of the MLP: act = silu(gate) * up, silu(g) = g * sigmoid(g). The
// gate and up projections are one fused matrix product, so each row holds [gate | up].
#pragma once
#include <cstdint>

namespace foresight {

// gate_up: [rows, 2 * width]; act: [rows, width].
void swiglu_forward(const float* gate_up, int64_t rows, int64_t width, float* act);
// d_gate_up: [rows, 2 * width] from d_act: [rows, width].
void swiglu_backward(const float* gate_up, const float* d_act, int64_t rows, int64_t width,
                     float* d_gate_up);

}  // namespace foresight
