#pragma once
// Linear and convolution layers whose parameters are created uninitialised, directly with the given dtype and
// device. torch::nn::Linear / Conv2d always allocate float32 on the CPU and run a random init first: for the 10 B
// parameters of Z-Image that would cost ~40 GB of host memory and seconds of work before the real weights are even
// read. Here construction is free; weights come from the checkpoint (or a random fill for benchmarks).
// Parameter names match torch's ("weight", "bias"), so checkpoint names line up.

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace zimage::nn {

class LinearImpl : public torch::nn::Module {
public:
    LinearImpl(std::int64_t in, std::int64_t out, bool bias, const torch::TensorOptions& options);
    // x: [..., in] -> [..., out]
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight; // [out, in]
    torch::Tensor bias;   // [out] or undefined
};
TORCH_MODULE(Linear);

class Conv2dImpl : public torch::nn::Module {
public:
    Conv2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
               const torch::TensorOptions& options);
    // x: [B, in, H, W] -> [B, out, H', W']
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight; // [out, in, kernel, kernel]
    torch::Tensor bias;   // [out]
    std::int64_t stride;
    std::int64_t padding;
};
TORCH_MODULE(Conv2d);

// GroupNorm with affine weight and bias.
class GroupNormImpl : public torch::nn::Module {
public:
    GroupNormImpl(std::int64_t groups, std::int64_t channels, double eps, const torch::TensorOptions& options);
    // x: [B, C, ...]
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight;
    torch::Tensor bias;
    std::int64_t groups;
    double eps;
};
TORCH_MODULE(GroupNorm);

// An uninitialised parameter (a plain buffer-like tensor that loading overwrites), registered under `name`.
torch::Tensor emptyParameter(torch::nn::Module& module, const std::string& name, torch::IntArrayRef shape,
                             const torch::TensorOptions& options);

// Fills every parameter of `module` with N(0, std) in place (benchmarks with random weights). Norm weights (1-D
// parameters named "weight") get 1 + N(0, std) so activations keep a sane scale. The numbers are drawn on
// `generateOn` (a GPU is much faster at it) and copied to wherever each parameter lives.
void randomizeParameters(torch::nn::Module& module, double std, std::uint64_t seed,
                         const torch::Device& generateOn = torch::kCPU);

} // namespace zimage::nn
