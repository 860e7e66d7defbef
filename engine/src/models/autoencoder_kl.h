#pragma once
// The Flux-style AutoencoderKL of Z-Image (diffusers models/autoencoders/autoencoder_kl.py and vae.py: Encoder,
// Decoder, DiagonalGaussianDistribution), exact to diffusers in float32. Parameters carry the diffusers checkpoint
// names ("decoder.up_blocks.0.resnets.2.conv1.weight", "encoder.mid_block.attentions.0.to_q.weight", ...), so
// io::loadModuleWeights fills the module name-for-name from vae/diffusion_pytorch_model.safetensors (LDM files go
// through io's VAE name mapping first). Z-Image uses neither quant_conv nor post_quant_conv.
//
// The decoder's stages are public (convIn, midBlock, upBlock, convOut) so that tiled or streamed decoding can run
// them one by one; decode() is exactly their composition.

#include "io/model_config.h"
#include "models/vae_blocks.h"
#include "nn/layers.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace zimage::models {

// diffusers Decoder: conv_in, mid_block, up_blocks (layers_per_block + 1 resnets each, reversed channels, nearest-2x
// upsample after all but the last), conv_norm_out, SiLU, conv_out.
class VaeDecoderImpl : public torch::nn::Module {
public:
    VaeDecoderImpl(const io::VaeConfig& config, const torch::TensorOptions& options);

    // z: [B, latentChannels, h, w] -> [B, blockOutChannels.back(), h, w]
    torch::Tensor convIn(torch::Tensor z);
    // x: [B, blockOutChannels.back(), h, w] -> same shape
    torch::Tensor midBlock(torch::Tensor x);
    std::int64_t numUpBlocks() const { return static_cast<std::int64_t>(m_upBlocks.size()); }
    // Up block `index` (0 = the lowest resolution). x: [B, Cin, H, W] -> [B, Cout, 2H, 2W], or [B, Cout, H, W] for
    // the last block; Cin/Cout are the reversed blockOutChannels.
    torch::Tensor upBlock(std::int64_t index, torch::Tensor x);
    // GroupNorm, SiLU, conv_out. x: [B, blockOutChannels[0], H, W] -> [B, outChannels, H, W]
    torch::Tensor convOut(torch::Tensor x);

    // z: [B, latentChannels, h, w] -> [B, outChannels, 2^(levels-1) h, 2^(levels-1) w]
    torch::Tensor forward(torch::Tensor z);

private:
    nn::Conv2d m_convIn{nullptr};
    VaeMidBlock m_midBlock{nullptr};
    std::vector<UpDecoderBlock2D> m_upBlocks;
    nn::GroupNorm m_convNormOut{nullptr};
    nn::Conv2d m_convOut{nullptr};
};
TORCH_MODULE(VaeDecoder);

// diffusers Encoder (double_z): conv_in, down_blocks (layers_per_block resnets each, a stride-2 downsampler after all
// but the last), mid_block, conv_norm_out, SiLU, conv_out to 2 * latentChannels.
class VaeEncoderImpl : public torch::nn::Module {
public:
    VaeEncoderImpl(const io::VaeConfig& config, const torch::TensorOptions& options);

    // image: [B, inChannels, H, W] -> moments [B, 2 * latentChannels, H / 2^(levels-1), W / 2^(levels-1)]
    torch::Tensor forward(torch::Tensor image);

private:
    nn::Conv2d m_convIn{nullptr};
    std::vector<DownEncoderBlock2D> m_downBlocks;
    VaeMidBlock m_midBlock{nullptr};
    nn::GroupNorm m_convNormOut{nullptr};
    nn::Conv2d m_convOut{nullptr};
};
TORCH_MODULE(VaeEncoder);

class AutoencoderKLImpl : public torch::nn::Module {
public:
    // Without the encoder (text-to-image) the module has only "decoder.*" parameters, so loading reads only those.
    // Parameters are created uninitialised with `options` (dtype, device; default float32 on the CPU): load them
    // with io::loadModuleWeights. Throws std::invalid_argument for configs this port does not support.
    explicit AutoencoderKLImpl(const io::VaeConfig& config, bool withEncoder = true,
                               const torch::TensorOptions& options = {});

    // z: [B, latentChannels, h, w], already unscaled (unscaleLatents), any dtype and device: it is converted to the
    // module's. Returns the raw decoder output [B, outChannels, 8h, 8w] in about [-1, 1], in the module's dtype.
    // Runs without autograd.
    torch::Tensor decode(const torch::Tensor& z);
    // image: [B, inChannels, H, W] in [-1, 1], H and W multiples of 8; converted to the module's dtype and device.
    // Returns {mean, logvar}, each [B, latentChannels, H/8, W/8]; logvar clamped to [-30, 20] as diffusers'
    // DiagonalGaussianDistribution does. Throws std::logic_error when built without the encoder.
    std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& image);

    const io::VaeConfig& config() const { return m_config; }
    bool hasEncoder() const { return !m_encoder.is_empty(); }
    // The stages, for tiled or streamed decoding.
    VaeDecoder& decoder() { return m_decoder; }
    VaeEncoder& encoder() { return m_encoder; }
    // How many pixels one latent pixel spans per side: 2^(levels-1) = 8.
    std::int64_t downscaleFactor() const;

private:
    io::VaeConfig m_config;
    VaeEncoder m_encoder{nullptr};
    VaeDecoder m_decoder{nullptr};
};
TORCH_MODULE(AutoencoderKL);

// Sampler latents -> decoder input: latents / scalingFactor + shiftFactor.
torch::Tensor unscaleLatents(const torch::Tensor& latents, const io::VaeConfig& config);
// Encoder mean -> sampler latents: (mean - shiftFactor) * scalingFactor.
torch::Tensor scaleLatents(const torch::Tensor& mean, const io::VaeConfig& config);
// Decoder output in [-1, 1] -> image in [0, 1]: clamp((x + 1) / 2, 0, 1), same dtype.
torch::Tensor decoderOutputToImage(const torch::Tensor& decoded);

} // namespace zimage::models
