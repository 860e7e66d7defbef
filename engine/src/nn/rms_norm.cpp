#include "nn/rms_norm.h"

#include <torch/torch.h>

namespace zimage::nn {

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    const auto inputDtype = x.scalar_type();
    const auto x32 = x.to(torch::kFloat32);                                      // [..., D]
    const auto variance = x32.pow(2).mean(-1, /*keepdim=*/true);                 // [..., 1]
    const auto normalised = (x32 * torch::rsqrt(variance + eps)).to(inputDtype); // [..., D]
    return weight * normalised;
}

RMSNormImpl::RMSNormImpl(std::int64_t dim, double eps, const torch::TensorOptions& options)
    : weight(register_parameter("weight", torch::ones({dim}, options), /*requires_grad=*/false))
    , eps(eps) {}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
    return rmsNorm(x, weight, eps);
}

} // namespace zimage::nn
