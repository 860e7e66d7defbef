#pragma once
// The building blocks of diffusers' AutoencoderKL (models/unets/unet_2d_blocks.py, models/resnet.py,
// models/attention_processor.py) as the Flux / Z-Image VAE configures them: no time embedding, GroupNorm eps 1e-6,
// SiLU, output_scale_factor 1, rescale_output_factor 1. Each module registers its children under the diffusers
// checkpoint names (norm1, conv1, ..., resnets.N, attentions.0.to_q, upsamplers.0.conv), so loading is name-for-name.
//
// Parameters are created uninitialised with the given dtype and device (nn/layers.h): the checkpoint fills them.
//
// Every forward takes its input by value: a caller that moves the activation in lets the block drop it as soon as it
// is no longer needed, which matters at 1024x1024 where one activation is up to 1 GiB in float32.

#include "nn/layers.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace zimage::models {

// diffusers ResnetBlock2D, temb_channels None, time_embedding_norm "default":
// out = conv_shortcut?(x) + conv2(silu(norm2(conv1(silu(norm1(x)))))).
class ResnetBlock2DImpl : public torch::nn::Module {
public:
    ResnetBlock2DImpl(std::int64_t inChannels, std::int64_t outChannels, std::int64_t groups, double eps,
                      const torch::TensorOptions& options);

    // x: [B, inChannels, H, W] -> [B, outChannels, H, W]
    torch::Tensor forward(torch::Tensor x);

private:
    nn::GroupNorm m_norm1{nullptr};
    nn::Conv2d m_conv1{nullptr};
    nn::GroupNorm m_norm2{nullptr};
    nn::Conv2d m_conv2{nullptr};
    nn::Conv2d m_convShortcut{nullptr}; // 1x1, only when inChannels != outChannels
};
TORCH_MODULE(ResnetBlock2D);

// diffusers Attention as UNetMidBlock2D builds it for the VAE (heads = 1, dim_head = C, group_norm, bias, residual
// connection, AttnProcessor2_0): single-head attention over all H*W pixels, softmax scale 1/sqrt(C).
class VaeAttentionImpl : public torch::nn::Module {
public:
    VaeAttentionImpl(std::int64_t channels, std::int64_t groups, double eps, const torch::TensorOptions& options);

    // x: [B, C, H, W] -> [B, C, H, W]
    torch::Tensor forward(torch::Tensor x);

private:
    std::int64_t m_channels;
    nn::GroupNorm m_groupNorm{nullptr};
    nn::Linear m_toQ{nullptr};
    nn::Linear m_toK{nullptr};
    nn::Linear m_toV{nullptr};
    nn::Linear m_toOut{nullptr}; // "to_out.0" (to_out.1 is a parameterless Dropout)
};
TORCH_MODULE(VaeAttention);

// diffusers UNetMidBlock2D without temb: resnets.0, then (attentions.0, resnets.1). Without attention
// (mid_block_add_attention false) the second resnet follows the first directly.
class VaeMidBlockImpl : public torch::nn::Module {
public:
    VaeMidBlockImpl(std::int64_t channels, std::int64_t groups, double eps, bool addAttention,
                    const torch::TensorOptions& options);

    // x: [B, C, H, W] -> [B, C, H, W]
    torch::Tensor forward(torch::Tensor x);

private:
    std::vector<ResnetBlock2D> m_resnets;
    VaeAttention m_attention{nullptr}; // null without attention
};
TORCH_MODULE(VaeMidBlock);

// diffusers Upsample2D(use_conv=True): nearest 2x, then a 3x3 conv ("conv").
class Upsample2DImpl : public torch::nn::Module {
public:
    explicit Upsample2DImpl(std::int64_t channels, const torch::TensorOptions& options);

    // x: [B, C, H, W] -> [B, C, 2H, 2W]
    torch::Tensor forward(torch::Tensor x);

private:
    nn::Conv2d m_conv{nullptr};
};
TORCH_MODULE(Upsample2D);

// diffusers Downsample2D(use_conv=True, padding=0): zero-pad right and bottom by one, then a 3x3 stride-2 conv.
class Downsample2DImpl : public torch::nn::Module {
public:
    explicit Downsample2DImpl(std::int64_t channels, const torch::TensorOptions& options);

    // x: [B, C, H, W] -> [B, C, H/2, W/2] (H, W even)
    torch::Tensor forward(torch::Tensor x);

private:
    nn::Conv2d m_conv{nullptr};
};
TORCH_MODULE(Downsample2D);

// diffusers UpDecoderBlock2D: `numLayers` resnets (the first maps inChannels -> outChannels), then optionally
// upsamplers.0.
class UpDecoderBlock2DImpl : public torch::nn::Module {
public:
    UpDecoderBlock2DImpl(std::int64_t inChannels, std::int64_t outChannels, std::int64_t numLayers, bool addUpsample,
                         std::int64_t groups, double eps, const torch::TensorOptions& options);

    // x: [B, inChannels, H, W] -> [B, outChannels, H, W], or [B, outChannels, 2H, 2W] with the upsampler
    torch::Tensor forward(torch::Tensor x);
    bool upsamples() const { return !m_upsampler.is_empty(); }

private:
    std::vector<ResnetBlock2D> m_resnets;
    Upsample2D m_upsampler{nullptr};
};
TORCH_MODULE(UpDecoderBlock2D);

// diffusers DownEncoderBlock2D: `numLayers` resnets (the first maps inChannels -> outChannels), then optionally
// downsamplers.0.
class DownEncoderBlock2DImpl : public torch::nn::Module {
public:
    DownEncoderBlock2DImpl(std::int64_t inChannels, std::int64_t outChannels, std::int64_t numLayers,
                           bool addDownsample, std::int64_t groups, double eps, const torch::TensorOptions& options);

    // x: [B, inChannels, H, W] -> [B, outChannels, H, W], or [B, outChannels, H/2, W/2] with the downsampler
    torch::Tensor forward(torch::Tensor x);

private:
    std::vector<ResnetBlock2D> m_resnets;
    Downsample2D m_downsampler{nullptr};
};
TORCH_MODULE(DownEncoderBlock2D);

// GroupNorm then SiLU in place: the pre-activation every VAE conv after the first sees.
torch::Tensor groupNormSilu(nn::GroupNorm& norm, const torch::Tensor& x);

} // namespace zimage::models
