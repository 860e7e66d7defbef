#include "nn/layers.h"

#include <torch/torch.h>

namespace zimage::nn {

torch::Tensor emptyParameter(torch::nn::Module& module, const std::string& name, torch::IntArrayRef shape,
                             const torch::TensorOptions& options) {
    return module.register_parameter(name, torch::empty(shape, options), /*requires_grad=*/false);
}

LinearImpl::LinearImpl(std::int64_t in, std::int64_t out, bool withBias, const torch::TensorOptions& options) {
    weight = emptyParameter(*this, "weight", {out, in}, options);
    if (withBias)
        bias = emptyParameter(*this, "bias", {out}, options);
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
    return torch::nn::functional::linear(x, weight, bias);
}

Conv2dImpl::Conv2dImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t strideValue,
                       std::int64_t paddingValue, const torch::TensorOptions& options)
    : stride(strideValue)
    , padding(paddingValue) {
    weight = emptyParameter(*this, "weight", {out, in, kernel, kernel}, options);
    bias = emptyParameter(*this, "bias", {out}, options);
}

torch::Tensor Conv2dImpl::forward(const torch::Tensor& x) {
    return torch::conv2d(x, weight, bias, {stride, stride}, {padding, padding});
}

GroupNormImpl::GroupNormImpl(std::int64_t groupCount, std::int64_t channels, double epsilon,
                             const torch::TensorOptions& options)
    : groups(groupCount)
    , eps(epsilon) {
    weight = emptyParameter(*this, "weight", {channels}, options);
    bias = emptyParameter(*this, "bias", {channels}, options);
}

torch::Tensor GroupNormImpl::forward(const torch::Tensor& x) {
    return torch::group_norm(x, groups, weight, bias, eps);
}

void randomizeParameters(torch::nn::Module& module, double std, std::uint64_t seed, const torch::Device& generateOn) {
    torch::NoGradGuard noGrad;
    torch::manual_seed(seed);
    for (auto& item : module.named_parameters()) {
        auto& parameter = item.value();
        const bool isNormWeight = parameter.dim() == 1 && item.key().size() >= 6 &&
                                  item.key().compare(item.key().size() - 6, 6, "weight") == 0;
        const double mean = isNormWeight ? 1.0 : 0.0;
        if (parameter.device() == generateOn)
            parameter.normal_(mean, std);
        else
            parameter.copy_(torch::empty_like(parameter, torch::TensorOptions().device(generateOn)).normal_(mean, std));
    }
}

} // namespace zimage::nn
