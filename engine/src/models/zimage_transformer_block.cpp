#include "models/zimage_transformer_block.h"

#include "nn/attention.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <stdexcept>

namespace zimage::models {
namespace {

// The reference's Attention(qk_norm="rms_norm", eps=1e-5): fixed, not the config's norm_eps.
constexpr double kQkNormEps = 1e-5;

nn::Linear linearNoBias(std::int64_t in, std::int64_t out, const torch::TensorOptions& options) {
    return nn::Linear(in, out, /*bias=*/false, options);
}

// nn::RMSNorm's semantics, on CUDA through at::rms_norm where LibTorch has it (>= 2.4): the fused kernel of recent
// releases is ~10x faster than the separate float32 statistics kernels (1.4 of the 4.6 ms of a full-size block at
// 1024x1024 in bf16), and agrees with them to float32 rounding before the single cast to bf16.
torch::Tensor normalize(const nn::RMSNorm& norm, const torch::Tensor& x) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    if (x.is_cuda())
        return at::rms_norm(x, {x.size(-1)}, norm->weight, norm->eps);
#endif
    return nn::rmsNorm(x, norm->weight, norm->eps);
}

// fp16 overflows in this model family: attention and feed-forward outputs of some blocks exceed 65504, which bf16
// and fp32 hold. Capping them (Inf included) at fp16's largest finite value keeps the residual stream finite; the
// RMS norm each output goes through next rescales the capped vector instead of turning Inf into NaN (a black
// image). ComfyUI's Lumina/Z-Image model does the same in fp16. Other dtypes pass through untouched.
torch::Tensor clampHalf(const torch::Tensor& x) {
    if (x.scalar_type() != torch::kHalf)
        return x;
    return torch::nan_to_num(x, 0.0, 65504.0, -65504.0);
}

} // namespace

ZImageAttentionImpl::ZImageAttentionImpl(std::int64_t dim, std::int64_t heads, bool qkNorm,
                                         const torch::TensorOptions& options)
    : m_heads(heads) {
    if (heads <= 0 || dim % heads != 0)
        throw std::invalid_argument("DiT attention: dim must be a multiple of the head count");
    const auto headDim = dim / heads;
    m_toQ = register_module("to_q", linearNoBias(dim, dim, options));
    m_toK = register_module("to_k", linearNoBias(dim, dim, options));
    m_toV = register_module("to_v", linearNoBias(dim, dim, options));
    // to_out is [Linear, Dropout] in the reference; only index 0 has weights.
    m_toOut = linearNoBias(dim, dim, options);
    register_module("to_out", torch::nn::ModuleList(m_toOut));
    if (qkNorm) {
        m_normQ = register_module("norm_q", nn::RMSNorm(headDim, kQkNormEps, options));
        m_normK = register_module("norm_k", nn::RMSNorm(headDim, kQkNormEps, options));
    }
}

torch::Tensor ZImageAttentionImpl::forward(const torch::Tensor& x, const std::optional<torch::Tensor>& mask,
                                           const RopeTables& rope) {
    // x: [B, L, dim]
    const auto batch = x.size(0), length = x.size(1), dim = x.size(2);
    auto q = m_toQ(x).view({batch, length, m_heads, -1}); // [B, L, H, D]
    auto k = m_toK(x).view({batch, length, m_heads, -1}); // [B, L, H, D]
    const auto v = m_toV(x).view({batch, length, m_heads, -1});
    if (m_normQ) {
        q = normalize(m_normQ, q);
        k = normalize(m_normK, k);
    }
    q = applyRope(q, rope);
    k = applyRope(k, rope);
    const auto out = nn::attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), mask); // [B, H, L, D]
    return m_toOut(out.transpose(1, 2).reshape({batch, length, dim}));                             // [B, L, dim]
}

ZImageFeedForwardImpl::ZImageFeedForwardImpl(std::int64_t dim, std::int64_t hidden, const torch::TensorOptions& options)
    : m_w1(register_module("w1", linearNoBias(dim, hidden, options)))
    , m_w2(register_module("w2", linearNoBias(hidden, dim, options)))
    , m_w3(register_module("w3", linearNoBias(dim, hidden, options))) {}

torch::Tensor ZImageFeedForwardImpl::forward(const torch::Tensor& x) {
    // x: [..., dim] -> hidden [..., ffn] -> [..., dim]
    return m_w2(torch::silu(m_w1(x)) * m_w3(x));
}

ZImageTransformerBlockImpl::ZImageTransformerBlockImpl(const io::TransformerConfig& config, bool modulation,
                                                       const torch::TensorOptions& options) {
    const auto dim = config.dim;
    m_attention = register_module("attention", ZImageAttention(dim, config.numHeads, config.qkNorm, options));
    m_feedForward = register_module("feed_forward", ZImageFeedForward(dim, config.ffnHidden(), options));
    m_attentionNorm1 = register_module("attention_norm1", nn::RMSNorm(dim, config.normEps, options));
    m_ffnNorm1 = register_module("ffn_norm1", nn::RMSNorm(dim, config.normEps, options));
    m_attentionNorm2 = register_module("attention_norm2", nn::RMSNorm(dim, config.normEps, options));
    m_ffnNorm2 = register_module("ffn_norm2", nn::RMSNorm(dim, config.normEps, options));
    if (modulation) {
        m_adaLnModulation = nn::Linear(std::min(dim, kAdaLnEmbedDim), 4 * dim, /*bias=*/true, options);
        register_module("adaLN_modulation", torch::nn::ModuleList(m_adaLnModulation));
    }
}

torch::Tensor ZImageTransformerBlockImpl::forward(const torch::Tensor& x, const std::optional<torch::Tensor>& mask,
                                                  const RopeTables& rope, const torch::Tensor& adaln) {
    // x: [B, L, dim]
    if (!modulated()) {
        const auto attended = clampHalf(
            x + normalize(m_attentionNorm2, clampHalf(m_attention(normalize(m_attentionNorm1, x), mask, rope))));
        return clampHalf(attended + normalize(m_ffnNorm2, clampHalf(m_feedForward(normalize(m_ffnNorm1, attended)))));
    }
    if (!adaln.defined())
        throw std::invalid_argument("DiT block: a modulated block needs the timestep embedding");
    // [B, 4 * dim] -> 4 x [B, 1, dim], in the reference's order.
    const auto modulation = m_adaLnModulation(adaln).unsqueeze(1).chunk(4, 2);
    const auto scaleMsa = 1.0 + modulation[0];
    const auto gateMsa = modulation[1].tanh();
    const auto scaleMlp = 1.0 + modulation[2];
    const auto gateMlp = modulation[3].tanh();
    const auto attentionOut = clampHalf(m_attention(normalize(m_attentionNorm1, x) * scaleMsa, mask, rope));
    const auto attended = clampHalf(x + gateMsa * normalize(m_attentionNorm2, attentionOut)); // [B, L, dim]
    const auto ffnOut = clampHalf(m_feedForward(normalize(m_ffnNorm1, attended) * scaleMlp)); // [B, L, dim]
    return clampHalf(attended + gateMlp * normalize(m_ffnNorm2, ffnOut));
}

} // namespace zimage::models
