#pragma once
// RMSNorm as transformers' Qwen3RMSNorm computes it (also used by the Z-Image DiT): the mean of squares and the
// normalisation run in float32, the result is cast back to the input's dtype and only then multiplied by the weight.

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

namespace zimage::nn {

// x: [..., D], weight: [D]. Returns [..., D] in x's dtype (times weight's, by type promotion, when they differ):
// weight * (x.float() * rsqrt(mean(x.float()^2, -1) + eps)).to(x.dtype).
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// A learned RMSNorm over the last dimension; the parameter is registered as "weight" (checkpoint name), ones at init,
// created with `options` (dtype and device; float32 on the CPU by default) and without requires_grad, like nn::Linear.
struct RMSNormImpl : torch::nn::Module {
    RMSNormImpl(std::int64_t dim, double eps, const torch::TensorOptions& options = {});

    // x: [..., dim] -> [..., dim]
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight;
    double eps;
};
TORCH_MODULE(RMSNorm);

} // namespace zimage::nn
