#pragma once
// The Qwen3 text encoder of Z-Image: transformers' Qwen3Model run over the chat-templated prompt, of which the
// pipeline takes hidden_states[-2] (the output of the second to last decoder layer, before the final norm). By
// default only the layers needed for that are built, so the last layer and the final norm are never allocated nor
// loaded. Modules are registered under the checkpoint's names ("model.embed_tokens.weight",
// "model.layers.<i>.self_attn.q_proj.weight", ..., "model.norm.weight"), so io::loadModuleWeights fills them
// name-for-name from text_encoder/ (or ComfyUI's qwen_3_4b.safetensors, which uses the same names).
//
// Compute dtype = the parameters' dtype (float32 on the CPU, bf16 on GPUs); RMSNorm and RoPE tables are computed in
// float32 as transformers does and cast back.

#include "io/model_config.h"
#include "nn/layer_hooks.h"
#include "nn/layers.h"
#include "nn/rms_norm.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

namespace zimage::models {

// RoPE tables for positions 0..L-1 (rotate_half layout: the head_dim/2 frequencies twice): cos and sin [L, headDim].
struct RotaryTables {
    torch::Tensor cos;
    torch::Tensor sin;
};

// Token embedding with an uninitialised table (151936 x 2560 for the real model: no float32 CPU staging, no init).
class TokenEmbeddingImpl : public torch::nn::Module {
public:
    TokenEmbeddingImpl(std::int64_t vocabSize, std::int64_t dim, const torch::TensorOptions& options);
    // ids: [...] int64 -> [..., dim] in the table's dtype, on the table's device (ids are moved there).
    torch::Tensor forward(const torch::Tensor& ids);

    torch::Tensor weight; // [vocab, dim]
};
TORCH_MODULE(TokenEmbedding);

// Qwen3Attention: GQA with per-head RMSNorm on q and k before RoPE, causal, no biases.
class Qwen3AttentionImpl : public torch::nn::Module {
public:
    Qwen3AttentionImpl(const io::TextEncoderConfig& config, const torch::TensorOptions& options);
    // x: [B, L, hidden], rope: [L, headDim] tables on x's device and dtype -> [B, L, hidden]
    torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope);

private:
    std::int64_t m_numHeads;
    std::int64_t m_numKvHeads;
    std::int64_t m_headDim;
    nn::Linear m_qProj{nullptr}, m_kProj{nullptr}, m_vProj{nullptr}, m_oProj{nullptr};
    nn::RMSNorm m_qNorm{nullptr}, m_kNorm{nullptr};
};
TORCH_MODULE(Qwen3Attention);

// Qwen3MLP: down_proj(silu(gate_proj(x)) * up_proj(x)).
class Qwen3MlpImpl : public torch::nn::Module {
public:
    Qwen3MlpImpl(const io::TextEncoderConfig& config, const torch::TensorOptions& options);
    // x: [B, L, hidden] -> [B, L, hidden]
    torch::Tensor forward(const torch::Tensor& x);

private:
    nn::Linear m_gateProj{nullptr}, m_upProj{nullptr}, m_downProj{nullptr};
};
TORCH_MODULE(Qwen3Mlp);

// Qwen3DecoderLayer (pre-norm): x += attn(input_layernorm(x)); x += mlp(post_attention_layernorm(x)).
class Qwen3DecoderLayerImpl : public torch::nn::Module {
public:
    Qwen3DecoderLayerImpl(const io::TextEncoderConfig& config, const torch::TensorOptions& options);
    // x: [B, L, hidden], rope: [L, headDim] -> [B, L, hidden]
    torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope);
    // Where this layer's parameters live (for streaming: the caller moves them, forward follows).
    torch::Device device() const;

private:
    nn::RMSNorm m_inputLayernorm{nullptr}, m_postAttentionLayernorm{nullptr};
    Qwen3Attention m_selfAttn{nullptr};
    Qwen3Mlp m_mlp{nullptr};
};
TORCH_MODULE(Qwen3DecoderLayer);

class Qwen3TextEncoderImpl : public torch::nn::Module {
public:
    // Builds the layers needed for hidden_states[-2] only (numLayers - 1 layers, no final norm) unless `fullDepth`
    // (tests compare every hidden state, including the last one after the final norm). Parameters are created
    // uninitialised with `options` (dtype, device); load them with io::loadModuleWeights.
    // Throws std::invalid_argument on an inconsistent config.
    explicit Qwen3TextEncoderImpl(const io::TextEncoderConfig& config, bool fullDepth = false,
                                  const torch::TensorOptions& options = {});

    // inputIds: [B, L] integer ids (no padding; one prompt per row or equal lengths). Returns hidden_states[-2]:
    // [B, L, hidden] in the compute dtype, on the device of the last layer run. Runs without autograd.
    torch::Tensor forward(const torch::Tensor& inputIds);
    // All hidden states like transformers' output_hidden_states: numLayers + 1 tensors [B, L, hidden], 0 = the
    // embeddings, i = the output of layer i - 1, the last = the last layer's output after the final norm.
    // fullDepth only (throws std::logic_error otherwise).
    std::vector<torch::Tensor> forwardAllHiddenStates(const torch::Tensor& inputIds);

    // The number of decoder layers actually built and run.
    std::int64_t layerCount() const { return static_cast<std::int64_t>(m_layers.size()); }
    bool fullDepth() const { return m_fullDepth; }
    const io::TextEncoderConfig& config() const { return m_config; }

    // Pieces of forward, for layer streaming (runtime): forward() is
    //   x = embed(ids); for i < numLayers - 1: x = layer(i)(x.to(layer(i)->device()), rotaryTables(L, ...)).
    // ids: [B, L] -> [B, L, hidden] on the embedding's device.
    torch::Tensor embed(const torch::Tensor& inputIds);
    TokenEmbedding& embedTokens() { return m_embedTokens; }
    Qwen3DecoderLayer& layer(std::int64_t index) { return m_layers.at(static_cast<std::size_t>(index)); }
    // The final norm; null unless fullDepth.
    nn::RMSNorm& finalNorm() { return m_norm; }
    // Called around each decoder layer with its index; null: none. Not owned.
    void setLayerHooks(nn::LayerHooks* hooks) { m_hooks = hooks; }

    // Cached per (device, dtype); tables grow to the longest length seen and are sliced (the values of position p do
    // not depend on the table length). Thread-safe.
    RotaryTables rotaryTables(std::int64_t length, const torch::Device& device, torch::ScalarType dtype);

private:
    // Runs layer `index` on x, moving x to the layer's device first: [B, L, hidden] -> [B, L, hidden].
    torch::Tensor runLayer(std::size_t index, const torch::Tensor& x);

    io::TextEncoderConfig m_config;
    bool m_fullDepth;
    std::shared_ptr<torch::nn::Module> m_model; // "model": the checkpoint's prefix
    TokenEmbedding m_embedTokens{nullptr};
    torch::nn::ModuleList m_layerList{nullptr};
    std::vector<Qwen3DecoderLayer> m_layers;
    nn::RMSNorm m_norm{nullptr};

    nn::LayerHooks* m_hooks = nullptr;
    std::mutex m_ropeMutex;
    std::map<std::tuple<int, int, int>, RotaryTables> m_ropeCache; // (device type, device index, dtype) -> tables
};
TORCH_MODULE(Qwen3TextEncoder);

} // namespace zimage::models
