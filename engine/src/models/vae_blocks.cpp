#include "models/vae_blocks.h"

#include "nn/attention.h"

#include <torch/torch.h>

#include <utility>

namespace zimage::models {
namespace {

// Builds `count` resnets (the first maps in -> out) registered as "resnets.N"; returns typed handles to them.
std::vector<ResnetBlock2D> registerResnets(torch::nn::Module& owner, std::int64_t in, std::int64_t out,
                                           std::int64_t count, std::int64_t groups, double eps,
                                           const torch::TensorOptions& options) {
    torch::nn::ModuleList list;
    std::vector<ResnetBlock2D> resnets;
    for (std::int64_t i = 0; i < count; ++i) {
        resnets.emplace_back(i == 0 ? in : out, out, groups, eps, options);
        list->push_back(resnets.back());
    }
    owner.register_module("resnets", list);
    return resnets;
}

// Registers `module` as "<listName>.0" (diffusers keeps single submodules in ModuleLists) and returns it.
template <typename Holder>
Holder registerAsFirstOf(torch::nn::Module& owner, const std::string& listName, Holder module) {
    torch::nn::ModuleList list;
    list->push_back(module);
    owner.register_module(listName, list);
    return module;
}

} // namespace

torch::Tensor groupNormSilu(nn::GroupNorm& norm, const torch::Tensor& x) {
    auto y = norm->forward(x);
    return torch::silu_(y); // y is fresh: in place is safe
}

ResnetBlock2DImpl::ResnetBlock2DImpl(std::int64_t inChannels, std::int64_t outChannels, std::int64_t groups, double eps,
                                     const torch::TensorOptions& options)
    : m_norm1(register_module("norm1", nn::GroupNorm(groups, inChannels, eps, options)))
    , m_conv1(register_module("conv1", nn::Conv2d(inChannels, outChannels, 3, 1, 1, options)))
    , m_norm2(register_module("norm2", nn::GroupNorm(groups, outChannels, eps, options)))
    , m_conv2(register_module("conv2", nn::Conv2d(outChannels, outChannels, 3, 1, 1, options))) {
    if (inChannels != outChannels)
        m_convShortcut = register_module("conv_shortcut", nn::Conv2d(inChannels, outChannels, 1, 1, 0, options));
}

torch::Tensor ResnetBlock2DImpl::forward(torch::Tensor x) {
    // x: [B, Cin, H, W]. Reassigning `h` step by step keeps at most three activations alive.
    auto h = m_conv1(groupNormSilu(m_norm1, x)); // [B, Cout, H, W]
    h = groupNormSilu(m_norm2, h);
    h = m_conv2(h); // [B, Cout, H, W]
    if (!m_convShortcut.is_empty())
        x = m_convShortcut(x); // [B, Cout, H, W]
    return h.add_(x);          // output_scale_factor 1
}

VaeAttentionImpl::VaeAttentionImpl(std::int64_t channels, std::int64_t groups, double eps,
                                   const torch::TensorOptions& options)
    : m_channels(channels)
    , m_groupNorm(register_module("group_norm", nn::GroupNorm(groups, channels, eps, options)))
    , m_toQ(register_module("to_q", nn::Linear(channels, channels, true, options)))
    , m_toK(register_module("to_k", nn::Linear(channels, channels, true, options)))
    , m_toV(register_module("to_v", nn::Linear(channels, channels, true, options)))
    , m_toOut(registerAsFirstOf(*this, "to_out", nn::Linear(channels, channels, true, options))) {}

torch::Tensor VaeAttentionImpl::forward(torch::Tensor x) {
    // x: [B, C, H, W]
    const auto batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
    TORCH_CHECK(channels == m_channels, "VAE attention: expected ", m_channels, " channels, got ", channels);
    auto tokens = m_groupNorm(x).flatten(2).transpose(1, 2); // [B, HW, C]
    // One head of dimension C: [B, 1, HW, C]; the softmax scale is 1/sqrt(C) as in diffusers.
    const auto q = m_toQ(tokens).unsqueeze(1);
    const auto k = m_toK(tokens).unsqueeze(1);
    const auto v = m_toV(tokens).unsqueeze(1);
    tokens = torch::Tensor();
    auto out = nn::attention(q, k, v).squeeze(1); // [B, HW, C]
    out = m_toOut(out);                           // [B, HW, C]
    // residual_connection true, rescale_output_factor 1.
    return out.transpose(1, 2).reshape({batch, channels, height, width}).add_(x); // [B, C, H, W]
}

VaeMidBlockImpl::VaeMidBlockImpl(std::int64_t channels, std::int64_t groups, double eps, bool addAttention,
                                 const torch::TensorOptions& options)
    : m_resnets(registerResnets(*this, channels, channels, 2, groups, eps, options)) {
    if (addAttention)
        m_attention = registerAsFirstOf(*this, "attentions", VaeAttention(channels, groups, eps, options));
}

torch::Tensor VaeMidBlockImpl::forward(torch::Tensor x) {
    // x: [B, C, H, W] -> [B, C, H, W]
    x = m_resnets[0](std::move(x));
    if (!m_attention.is_empty())
        x = m_attention(std::move(x));
    return m_resnets[1](std::move(x));
}

Upsample2DImpl::Upsample2DImpl(std::int64_t channels, const torch::TensorOptions& options)
    : m_conv(register_module("conv", nn::Conv2d(channels, channels, 3, 1, 1, options))) {}

torch::Tensor Upsample2DImpl::forward(torch::Tensor x) {
    // x: [B, C, H, W]. Nearest 2x copies values exactly, so doing it in the tensor's own dtype is what diffusers'
    // float32 round trip for bfloat16 computes.
    namespace F = torch::nn::functional;
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .scale_factor(std::vector<double>{2.0, 2.0})
                              .mode(torch::kNearest)); // [B, C, 2H, 2W]
    return m_conv(x);                                  // [B, C, 2H, 2W]
}

Downsample2DImpl::Downsample2DImpl(std::int64_t channels, const torch::TensorOptions& options)
    : m_conv(register_module("conv", nn::Conv2d(channels, channels, 3, 2, 0, options))) {}

torch::Tensor Downsample2DImpl::forward(torch::Tensor x) {
    // x: [B, C, H, W]. diffusers pads (left 0, right 1, top 0, bottom 1) with zeros, then convolves without padding.
    x = torch::constant_pad_nd(x, {0, 1, 0, 1}, 0); // [B, C, H+1, W+1]
    return m_conv(x);                               // [B, C, H/2, W/2]
}

UpDecoderBlock2DImpl::UpDecoderBlock2DImpl(std::int64_t inChannels, std::int64_t outChannels, std::int64_t numLayers,
                                           bool addUpsample, std::int64_t groups, double eps,
                                           const torch::TensorOptions& options)
    : m_resnets(registerResnets(*this, inChannels, outChannels, numLayers, groups, eps, options)) {
    if (addUpsample)
        m_upsampler = registerAsFirstOf(*this, "upsamplers", Upsample2D(outChannels, options));
}

torch::Tensor UpDecoderBlock2DImpl::forward(torch::Tensor x) {
    // x: [B, Cin, H, W] -> [B, Cout, H, W] -> optionally [B, Cout, 2H, 2W]
    for (auto& resnet : m_resnets)
        x = resnet(std::move(x));
    if (!m_upsampler.is_empty())
        x = m_upsampler(std::move(x));
    return x;
}

DownEncoderBlock2DImpl::DownEncoderBlock2DImpl(std::int64_t inChannels, std::int64_t outChannels,
                                               std::int64_t numLayers, bool addDownsample, std::int64_t groups,
                                               double eps, const torch::TensorOptions& options)
    : m_resnets(registerResnets(*this, inChannels, outChannels, numLayers, groups, eps, options)) {
    if (addDownsample)
        m_downsampler = registerAsFirstOf(*this, "downsamplers", Downsample2D(outChannels, options));
}

torch::Tensor DownEncoderBlock2DImpl::forward(torch::Tensor x) {
    // x: [B, Cin, H, W] -> [B, Cout, H, W] -> optionally [B, Cout, H/2, W/2]
    for (auto& resnet : m_resnets)
        x = resnet(std::move(x));
    if (!m_downsampler.is_empty())
        x = m_downsampler(std::move(x));
    return x;
}

} // namespace zimage::models
