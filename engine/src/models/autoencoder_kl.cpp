#include "models/autoencoder_kl.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace zimage::models {
namespace {

// diffusers builds every VAE GroupNorm and resnet with eps 1e-6.
constexpr double kNormEps = 1e-6;

void validate(const io::VaeConfig& config) {
    auto fail = [](const std::string& problem) { throw std::invalid_argument("VAE config: " + problem); };
    if (config.blockOutChannels.empty())
        fail("block_out_channels is empty");
    if (config.layersPerBlock < 1)
        fail("layers_per_block must be at least 1, got " + std::to_string(config.layersPerBlock));
    if (config.normNumGroups < 1)
        fail("norm_num_groups must be at least 1");
    for (const auto channels : config.blockOutChannels)
        if (channels < 1 || channels % config.normNumGroups != 0)
            fail("block_out_channels entry " + std::to_string(channels) + " is not a positive multiple of " +
                 "norm_num_groups " + std::to_string(config.normNumGroups));
    if (config.latentChannels < 1 || config.inChannels < 1 || config.outChannels < 1)
        fail("channel counts must be positive");
}

nn::Conv2d makeConv3x3(std::int64_t in, std::int64_t out, const torch::TensorOptions& options) {
    return nn::Conv2d(in, out, 3, 1, 1, options);
}

} // namespace

// ---------------------------------------------------------------------------------------------------- decoder

VaeDecoderImpl::VaeDecoderImpl(const io::VaeConfig& config, const torch::TensorOptions& options) {
    validate(config);
    const auto& channels = config.blockOutChannels;
    const auto levels = static_cast<std::int64_t>(channels.size());
    m_convIn = register_module("conv_in", makeConv3x3(config.latentChannels, channels.back(), options));
    m_midBlock = register_module("mid_block", VaeMidBlock(channels.back(), config.normNumGroups, kNormEps,
                                                          config.midBlockAddAttention, options));
    torch::nn::ModuleList upBlocks;
    std::int64_t previous = channels.back();
    for (std::int64_t i = 0; i < levels; ++i) {
        const auto out = channels[static_cast<std::size_t>(levels - 1 - i)];
        m_upBlocks.emplace_back(previous, out, config.layersPerBlock + 1, i + 1 < levels, config.normNumGroups,
                                kNormEps, options);
        upBlocks->push_back(m_upBlocks.back());
        previous = out;
    }
    register_module("up_blocks", upBlocks);
    m_convNormOut =
        register_module("conv_norm_out", nn::GroupNorm(config.normNumGroups, channels.front(), kNormEps, options));
    m_convOut = register_module("conv_out", makeConv3x3(channels.front(), config.outChannels, options));
}

torch::Tensor VaeDecoderImpl::convIn(torch::Tensor z) {
    return m_convIn(z); // [B, Cmax, h, w]
}

torch::Tensor VaeDecoderImpl::midBlock(torch::Tensor x) {
    return m_midBlock(std::move(x)); // [B, Cmax, h, w]
}

torch::Tensor VaeDecoderImpl::upBlock(std::int64_t index, torch::Tensor x) {
    TORCH_CHECK(index >= 0 && index < numUpBlocks(), "VAE decoder: no up block ", index);
    return m_upBlocks[static_cast<std::size_t>(index)](std::move(x));
}

torch::Tensor VaeDecoderImpl::convOut(torch::Tensor x) {
    // x: [B, C0, H, W]
    x = groupNormSilu(m_convNormOut, x);
    return m_convOut(x); // [B, outChannels, H, W]
}

torch::Tensor VaeDecoderImpl::forward(torch::Tensor z) {
    // z: [B, latentChannels, h, w]
    auto x = convIn(std::move(z)); // [B, Cmax, h, w]
    x = midBlock(std::move(x));
    for (std::int64_t i = 0; i < numUpBlocks(); ++i)
        x = upBlock(i, std::move(x)); // ends at [B, C0, 8h, 8w]
    return convOut(std::move(x));     // [B, outChannels, 8h, 8w]
}

// ---------------------------------------------------------------------------------------------------- encoder

VaeEncoderImpl::VaeEncoderImpl(const io::VaeConfig& config, const torch::TensorOptions& options) {
    validate(config);
    const auto& channels = config.blockOutChannels;
    const auto levels = static_cast<std::int64_t>(channels.size());
    m_convIn = register_module("conv_in", makeConv3x3(config.inChannels, channels.front(), options));
    torch::nn::ModuleList downBlocks;
    std::int64_t previous = channels.front();
    for (std::int64_t i = 0; i < levels; ++i) {
        const auto out = channels[static_cast<std::size_t>(i)];
        m_downBlocks.emplace_back(previous, out, config.layersPerBlock, i + 1 < levels, config.normNumGroups, kNormEps,
                                  options);
        downBlocks->push_back(m_downBlocks.back());
        previous = out;
    }
    register_module("down_blocks", downBlocks);
    m_midBlock = register_module("mid_block", VaeMidBlock(channels.back(), config.normNumGroups, kNormEps,
                                                          config.midBlockAddAttention, options));
    m_convNormOut =
        register_module("conv_norm_out", nn::GroupNorm(config.normNumGroups, channels.back(), kNormEps, options));
    m_convOut = register_module("conv_out", makeConv3x3(channels.back(), 2 * config.latentChannels, options));
}

torch::Tensor VaeEncoderImpl::forward(torch::Tensor image) {
    // image: [B, inChannels, H, W]
    auto x = m_convIn(image); // [B, C0, H, W]
    image = torch::Tensor();
    for (auto& block : m_downBlocks)
        x = block(std::move(x)); // ends at [B, Cmax, H/8, W/8]
    x = m_midBlock(std::move(x));
    x = groupNormSilu(m_convNormOut, x);
    return m_convOut(x); // [B, 2 * latentChannels, H/8, W/8]
}

// ---------------------------------------------------------------------------------------------------- AutoencoderKL

AutoencoderKLImpl::AutoencoderKLImpl(const io::VaeConfig& config, bool withEncoder, const torch::TensorOptions& options)
    : m_config(config) {
    validate(config);
    if (config.useQuantConv || config.usePostQuantConv)
        throw std::invalid_argument("VAE config: use_quant_conv / use_post_quant_conv are not supported (Z-Image's "
                                    "VAE has neither)");
    if (withEncoder)
        m_encoder = register_module("encoder", VaeEncoder(config, options));
    m_decoder = register_module("decoder", VaeDecoder(config, options));
}

std::int64_t AutoencoderKLImpl::downscaleFactor() const {
    return std::int64_t{1} << (m_config.blockOutChannels.size() - 1);
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& z) {
    // z: [B, latentChannels, h, w]
    TORCH_CHECK(z.dim() == 4 && z.size(1) == m_config.latentChannels, "VAE decode: expected latents [B, ",
                m_config.latentChannels, ", h, w], got ", z.sizes());
    torch::NoGradGuard noGrad;
    const auto weight = m_decoder->parameters().front();
    return m_decoder(z.to(weight.device(), weight.scalar_type())); // [B, outChannels, 8h, 8w]
}

std::pair<torch::Tensor, torch::Tensor> AutoencoderKLImpl::encode(const torch::Tensor& image) {
    // image: [B, inChannels, H, W]
    if (m_encoder.is_empty())
        throw std::logic_error("VAE encode: this AutoencoderKL was built without the encoder");
    const auto factor = downscaleFactor();
    TORCH_CHECK(image.dim() == 4 && image.size(1) == m_config.inChannels && image.size(2) % factor == 0 &&
                    image.size(3) % factor == 0,
                "VAE encode: expected an image [B, ", m_config.inChannels, ", H, W] with H and W multiples of ", factor,
                ", got ", image.sizes());
    torch::NoGradGuard noGrad;
    const auto weight = m_encoder->parameters().front();
    const auto moments = m_encoder(image.to(weight.device(), weight.scalar_type())); // [B, 2 * latent, H/8, W/8]
    auto halves = moments.chunk(2, 1);
    // DiagonalGaussianDistribution clamps logvar to [-30, 20].
    return {halves[0].contiguous(), halves[1].clamp(-30.0, 20.0)}; // each [B, latent, H/8, W/8]
}

// ---------------------------------------------------------------------------------------------------- scaling

torch::Tensor unscaleLatents(const torch::Tensor& latents, const io::VaeConfig& config) {
    return latents / config.scalingFactor + config.shiftFactor;
}

torch::Tensor scaleLatents(const torch::Tensor& mean, const io::VaeConfig& config) {
    return (mean - config.shiftFactor) * config.scalingFactor;
}

torch::Tensor decoderOutputToImage(const torch::Tensor& decoded) {
    return ((decoded + 1.0) / 2.0).clamp_(0.0, 1.0);
}

} // namespace zimage::models
