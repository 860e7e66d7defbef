#pragma once
// One block of the Z-Image single-stream DiT (diffusers ZImageTransformerBlock) and its parts, registered under the
// checkpoint's names: attention.{to_q, to_k, to_v, to_out.0, norm_q, norm_k}, feed_forward.{w1, w2, w3},
// attention_norm1, attention_norm2, ffn_norm1, ffn_norm2 and, in modulated blocks, adaLN_modulation.0.
// Parameters are created uninitialised with the given options (dtype, device); io::loadModuleWeights fills them.
// Compute dtype = the parameters' dtype; RMSNorm statistics and RoPE run in float32 as the reference does.

#include "io/model_config.h"
#include "models/zimage_rope.h"
#include "nn/layers.h"
#include "nn/rms_norm.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>

namespace zimage::models {

// Width of the timestep embedding every modulation reads (the reference's ADALN_EMBED_DIM, capped at dim).
constexpr std::int64_t kAdaLnEmbedDim = 256;

// Self-attention without biases, per-head RMSNorm (eps 1e-5) on q and k, then RoPE (ZSingleStreamAttnProcessor).
class ZImageAttentionImpl : public torch::nn::Module {
public:
    ZImageAttentionImpl(std::int64_t dim, std::int64_t heads, bool qkNorm, const torch::TensorOptions& options);

    // x: [B, L, dim]; mask: [B, 1, 1, L] bool, true = the key may be attended (batch padding only); rope: rotations
    // [B, L, 1, head dim / 2]. Returns [B, L, dim].
    torch::Tensor forward(const torch::Tensor& x, const std::optional<torch::Tensor>& mask, const RopeTables& rope);

private:
    std::int64_t m_heads;
    nn::Linear m_toQ{nullptr};
    nn::Linear m_toK{nullptr};
    nn::Linear m_toV{nullptr};
    nn::Linear m_toOut{nullptr};
    nn::RMSNorm m_normQ{nullptr}; // null without qk_norm
    nn::RMSNorm m_normK{nullptr};
};
TORCH_MODULE(ZImageAttention);

// SwiGLU feed-forward without biases: w2(silu(w1 x) * w3 x).
class ZImageFeedForwardImpl : public torch::nn::Module {
public:
    ZImageFeedForwardImpl(std::int64_t dim, std::int64_t hidden, const torch::TensorOptions& options);

    // x: [..., dim] -> [..., dim]
    torch::Tensor forward(const torch::Tensor& x);

private:
    nn::Linear m_w1{nullptr};
    nn::Linear m_w2{nullptr};
    nn::Linear m_w3{nullptr};
};
TORCH_MODULE(ZImageFeedForward);

// Pre- and post-normed attention and FFN, each added back through a residual. Modulated blocks (noise refiner and
// main layers) scale the pre-norm output by 1 + scale and the residual by tanh(gate), both from the timestep
// embedding; unmodulated blocks (context refiner) use scale 1 and gate 1.
class ZImageTransformerBlockImpl : public torch::nn::Module {
public:
    ZImageTransformerBlockImpl(const io::TransformerConfig& config, bool modulation,
                               const torch::TensorOptions& options);

    // x: [B, L, dim]; mask: [B, 1, 1, L] or none; rope: [B, L, 1, head dim / 2]; adaln: [B, kAdaLnEmbedDim] in x's
    // dtype (required by modulated blocks, ignored otherwise). Returns [B, L, dim].
    torch::Tensor forward(const torch::Tensor& x, const std::optional<torch::Tensor>& mask, const RopeTables& rope,
                          const torch::Tensor& adaln = {});

    bool modulated() const { return !m_adaLnModulation.is_empty(); }

private:
    ZImageAttention m_attention{nullptr};
    ZImageFeedForward m_feedForward{nullptr};
    nn::RMSNorm m_attentionNorm1{nullptr};
    nn::RMSNorm m_attentionNorm2{nullptr};
    nn::RMSNorm m_ffnNorm1{nullptr};
    nn::RMSNorm m_ffnNorm2{nullptr};
    nn::Linear m_adaLnModulation{nullptr}; // adaLN_modulation.0: [4 * dim, 256], modulated blocks only
};
TORCH_MODULE(ZImageTransformerBlock);

} // namespace zimage::models
