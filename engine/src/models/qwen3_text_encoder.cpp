#include "models/qwen3_text_encoder.h"

#include "nn/attention.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace zimage::models {
namespace {

void validate(const io::TextEncoderConfig& config) {
    auto require = [](bool ok, const std::string& what) {
        if (!ok)
            throw std::invalid_argument("text encoder config: " + what);
    };
    require(config.vocabSize > 0 && config.hiddenSize > 0 && config.intermediateSize > 0,
            "vocab_size, hidden_size and intermediate_size must be positive");
    require(config.numLayers >= 1, "num_hidden_layers must be at least 1");
    require(config.numHeads > 0 && config.numKvHeads > 0 && config.numHeads % config.numKvHeads == 0,
            "num_attention_heads (" + std::to_string(config.numHeads) +
                ") must be a multiple of num_key_value_heads (" + std::to_string(config.numKvHeads) + ")");
    require(config.headDim > 0 && config.headDim % 2 == 0, "head_dim must be positive and even");
    require(config.ropeTheta > 0.0, "rope_theta must be positive");
}

// transformers' rotate_half: x = [x1 | x2] (halves of the last dim) -> [-x2 | x1].
torch::Tensor rotateHalf(const torch::Tensor& x) {
    const auto half = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// x: [B, H, L, D], cos/sin: [L, D] -> [B, H, L, D]
torch::Tensor applyRotary(const torch::Tensor& x, const RotaryTables& rope) {
    return x * rope.cos + rotateHalf(x) * rope.sin;
}

// Qwen3RotaryEmbedding (rope_type "default", attention_scaling 1): inv_freq = 1 / theta^(arange(0, D, 2) / D) in
// float32, computed on the CPU as transformers does at init (the buffer then moves with the model); angles
// position * inv_freq in float32 on the target device; cos and sin in float32, then cast.
RotaryTables computeRotaryTables(std::int64_t length, std::int64_t headDim, double theta, const torch::Device& device,
                                 torch::ScalarType dtype) {
    const auto exponents = torch::arange(0, headDim, 2, torch::kLong).to(torch::kFloat32) / headDim; // [D/2]
    const auto invFreq = (1.0 / torch::pow(theta, exponents)).to(device);                            // [D/2]
    const auto positions = torch::arange(length, torch::TensorOptions().dtype(torch::kFloat32).device(device));
    const auto freqs = positions.unsqueeze(1) * invFreq.unsqueeze(0); // [L, D/2]
    const auto angles = torch::cat({freqs, freqs}, -1);               // [L, D]
    return {angles.cos().to(dtype), angles.sin().to(dtype)};
}

} // namespace

TokenEmbeddingImpl::TokenEmbeddingImpl(std::int64_t vocabSize, std::int64_t dim, const torch::TensorOptions& options)
    : weight(nn::emptyParameter(*this, "weight", {vocabSize, dim}, options)) {}

torch::Tensor TokenEmbeddingImpl::forward(const torch::Tensor& ids) {
    return torch::embedding(weight, ids.to(weight.device(), torch::kLong));
}

Qwen3AttentionImpl::Qwen3AttentionImpl(const io::TextEncoderConfig& config, const torch::TensorOptions& options)
    : m_numHeads(config.numHeads)
    , m_numKvHeads(config.numKvHeads)
    , m_headDim(config.headDim) {
    const auto hidden = config.hiddenSize;
    m_qProj = register_module("q_proj", nn::Linear(hidden, m_numHeads * m_headDim, false, options));
    m_kProj = register_module("k_proj", nn::Linear(hidden, m_numKvHeads * m_headDim, false, options));
    m_vProj = register_module("v_proj", nn::Linear(hidden, m_numKvHeads * m_headDim, false, options));
    m_oProj = register_module("o_proj", nn::Linear(m_numHeads * m_headDim, hidden, false, options));
    m_qNorm = register_module("q_norm", nn::RMSNorm(m_headDim, config.rmsNormEps, options));
    m_kNorm = register_module("k_norm", nn::RMSNorm(m_headDim, config.rmsNormEps, options));
}

torch::Tensor Qwen3AttentionImpl::forward(const torch::Tensor& x, const RotaryTables& rope) {
    const auto batch = x.size(0), length = x.size(1);
    // Per-head norm over head_dim, then [B, L, H, D] -> [B, H, L, D], then RoPE.
    auto q = m_qNorm(m_qProj(x).view({batch, length, m_numHeads, m_headDim})).transpose(1, 2);   // [B, H, L, D]
    auto k = m_kNorm(m_kProj(x).view({batch, length, m_numKvHeads, m_headDim})).transpose(1, 2); // [B, Hkv, L, D]
    auto v = m_vProj(x).view({batch, length, m_numKvHeads, m_headDim}).transpose(1, 2);          // [B, Hkv, L, D]
    q = applyRotary(q, rope);
    k = applyRotary(k, rope);
    const auto groups = m_numHeads / m_numKvHeads;
    const auto out = nn::attention(q, nn::repeatKvHeads(k, groups), nn::repeatKvHeads(v, groups), std::nullopt,
                                   /*causal=*/true);                                      // [B, H, L, D]
    return m_oProj(out.transpose(1, 2).reshape({batch, length, m_numHeads * m_headDim})); // [B, L, hidden]
}

Qwen3MlpImpl::Qwen3MlpImpl(const io::TextEncoderConfig& config, const torch::TensorOptions& options) {
    m_gateProj = register_module("gate_proj", nn::Linear(config.hiddenSize, config.intermediateSize, false, options));
    m_upProj = register_module("up_proj", nn::Linear(config.hiddenSize, config.intermediateSize, false, options));
    m_downProj = register_module("down_proj", nn::Linear(config.intermediateSize, config.hiddenSize, false, options));
}

torch::Tensor Qwen3MlpImpl::forward(const torch::Tensor& x) {
    return m_downProj(torch::silu(m_gateProj(x)) * m_upProj(x)); // [B, L, FFN] inside, [B, L, hidden] out
}

Qwen3DecoderLayerImpl::Qwen3DecoderLayerImpl(const io::TextEncoderConfig& config, const torch::TensorOptions& options) {
    m_selfAttn = register_module("self_attn", Qwen3Attention(config, options));
    m_mlp = register_module("mlp", Qwen3Mlp(config, options));
    m_inputLayernorm = register_module("input_layernorm", nn::RMSNorm(config.hiddenSize, config.rmsNormEps, options));
    m_postAttentionLayernorm =
        register_module("post_attention_layernorm", nn::RMSNorm(config.hiddenSize, config.rmsNormEps, options));
}

torch::Tensor Qwen3DecoderLayerImpl::forward(const torch::Tensor& x, const RotaryTables& rope) {
    const auto h = x + m_selfAttn->forward(m_inputLayernorm(x), rope); // [B, L, hidden]
    return h + m_mlp(m_postAttentionLayernorm(h));                     // [B, L, hidden]
}

torch::Device Qwen3DecoderLayerImpl::device() const {
    return m_inputLayernorm->weight.device();
}

Qwen3TextEncoderImpl::Qwen3TextEncoderImpl(const io::TextEncoderConfig& config, bool fullDepth,
                                           const torch::TensorOptions& options)
    : m_config(config)
    , m_fullDepth(fullDepth) {
    validate(config);
    m_model = register_module("model", std::make_shared<torch::nn::Module>("Qwen3Model"));
    m_embedTokens =
        m_model->register_module("embed_tokens", TokenEmbedding(config.vocabSize, config.hiddenSize, options));
    m_layerList = m_model->register_module("layers", torch::nn::ModuleList());
    const auto built = fullDepth ? config.numLayers : config.numLayers - 1;
    for (std::int64_t i = 0; i < built; ++i) {
        m_layers.emplace_back(config, options);
        m_layerList->push_back(m_layers.back());
    }
    if (fullDepth)
        m_norm = m_model->register_module("norm", nn::RMSNorm(config.hiddenSize, config.rmsNormEps, options));
}

torch::Tensor Qwen3TextEncoderImpl::embed(const torch::Tensor& inputIds) {
    if (inputIds.dim() != 2 || inputIds.size(1) == 0 || !at::isIntegralType(inputIds.scalar_type(), false))
        throw std::invalid_argument("text encoder: input ids must be a non-empty [batch, length] integer tensor, got " +
                                    std::to_string(inputIds.dim()) + " dimension(s) of " +
                                    c10::toString(inputIds.scalar_type()));
    return m_embedTokens(inputIds); // [B, L, hidden]
}

RotaryTables Qwen3TextEncoderImpl::rotaryTables(std::int64_t length, const torch::Device& device,
                                                torch::ScalarType dtype) {
    const std::lock_guard lock(m_ropeMutex);
    const auto key =
        std::make_tuple(static_cast<int>(device.type()), static_cast<int>(device.index()), static_cast<int>(dtype));
    auto& tables = m_ropeCache[key];
    if (!tables.cos.defined() || tables.cos.size(0) < length)
        tables = computeRotaryTables(length, m_config.headDim, m_config.ropeTheta, device, dtype);
    return {tables.cos.narrow(0, 0, length), tables.sin.narrow(0, 0, length)};
}

torch::Tensor Qwen3TextEncoderImpl::runLayer(std::size_t index, const torch::Tensor& x) {
    auto& layer = m_layers[index];
    if (m_hooks)
        m_hooks->beforeLayer(index);
    // The layer's device: the same as x's unless the embeddings stay in host memory while the layers stream in.
    const auto input = x.to(layer->device());
    auto output = layer->forward(input, rotaryTables(input.size(1), input.device(), input.scalar_type()));
    if (m_hooks)
        m_hooks->afterLayer(index);
    return output;
}

torch::Tensor Qwen3TextEncoderImpl::forward(const torch::Tensor& inputIds) {
    torch::NoGradGuard noGrad;
    auto x = embed(inputIds); // [B, L, hidden]
    // hidden_states[-2] is the output of layer numLayers - 2, i.e. after numLayers - 1 layers, without the final norm.
    for (std::int64_t i = 0; i < m_config.numLayers - 1; ++i)
        x = runLayer(static_cast<std::size_t>(i), x);
    return x; // [B, L, hidden]
}

std::vector<torch::Tensor> Qwen3TextEncoderImpl::forwardAllHiddenStates(const torch::Tensor& inputIds) {
    if (!m_fullDepth)
        throw std::logic_error("text encoder: every hidden state needs a module built with fullDepth");
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> states{embed(inputIds)}; // each [B, L, hidden]
    for (std::size_t i = 0; i < m_layers.size(); ++i)
        states.push_back(runLayer(i, states.back()));
    // transformers replaces the last entry by the normed output (the raw output of the last layer is not returned).
    states.back() = m_norm(states.back().to(m_norm->weight.device()));
    return states;
}

} // namespace zimage::models
