#pragma once
// The Z-Image single-stream DiT (diffusers ZImageTransformer2DModel), registered under the diffusers checkpoint
// names (all_x_embedder.2-1, t_embedder.mlp, cap_embedder, x_pad_token, cap_pad_token, noise_refiner.N,
// context_refiner.N, layers.N, all_final_layer.2-1) so io::loadModuleWeights fills it name for name.
//
// One forward: patchify each latent into 2x2 patches, embed, pad image and caption tokens to multiples of 32 with
// the learned pad tokens, refine image tokens (modulated by the timestep) and caption tokens (unmodulated)
// separately, run the main layers over [image ; caption], and project the image tokens back to latent patches.

#include "io/model_config.h"
#include "models/zimage_rope.h"
#include "models/zimage_transformer_block.h"
#include "nn/layer_hooks.h"
#include "nn/layers.h"
#include "nn/rms_norm.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace zimage::models {

// Sinusoidal embedding of the (scaled) time, [cos | sin] halves, then MLP 256 -> 1024 -> SiLU -> min(dim, 256).
// Registered as "mlp.0" and "mlp.2" (index 1 is the SiLU).
class ZImageTimestepEmbedderImpl : public torch::nn::Module {
public:
    ZImageTimestepEmbedderImpl(std::int64_t outSize, const torch::TensorOptions& options);

    // t: [B] already multiplied by t_scale. Returns [B, outSize] in the MLP weights' dtype.
    torch::Tensor forward(const torch::Tensor& t);

private:
    nn::Linear m_linear1{nullptr};
    nn::Linear m_linear2{nullptr};
};
TORCH_MODULE(ZImageTimestepEmbedder);

// LayerNorm without affine (eps 1e-6), times 1 + Linear(SiLU(adaln)), then Linear dim -> patch values.
// Registered as "linear" and "adaLN_modulation.1".
class ZImageFinalLayerImpl : public torch::nn::Module {
public:
    ZImageFinalLayerImpl(std::int64_t dim, std::int64_t outValues, const torch::TensorOptions& options);

    // x: [B, L, dim]; adaln: [B, min(dim, 256)]. Returns [B, L, outValues].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& adaln);

private:
    nn::Linear m_linear{nullptr};
    nn::Linear m_modulation{nullptr};
};
TORCH_MODULE(ZImageFinalLayer);

class ZImageTransformerImpl : public torch::nn::Module {
public:
    // Parameters are created uninitialised with `options` (dtype, device; float32 on the CPU by default): load them
    // with io::loadModuleWeights. The compute dtype is the parameters' dtype. Throws std::invalid_argument on an
    // inconsistent config (head dim != sum of axes_dims, ...).
    explicit ZImageTransformerImpl(const io::TransformerConfig& config, const torch::TensorOptions& options = {});

    // latents: per image [C, H', W'] (or [C, 1, H', W'] as diffusers passes it), H' and W' multiples of the patch
    // size; captions: per image [Lc_i, capFeatDim], Lc_i >= 1; t: [B] the model time in [0, 1], i.e. 1 - sigma
    // (embedded as t * t_scale). Inputs may be on any device and of any floating dtype; they are moved to the
    // module's device and dtype (t is used in float32). Returns per image the raw model output with the latent's
    // shape, dtype and device. The reference pipeline's velocity is its negation: v = -out.
    // Images of different sizes and captions of different lengths are padded to the longest sequence of the batch;
    // the batch padding is masked, so every item gets the result it would get alone. Sizes, masks and RoPE tables
    // are cached for the last call's shapes (all steps of a generation). Runs without autograd; all parameters must
    // be on one device.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& latents,
                                       const std::vector<torch::Tensor>& captions, const torch::Tensor& t);

    const io::TransformerConfig& config() const { return m_config; }
    // Every block in execution order (noise refiner, context refiner, main layers), for layer streaming.
    std::vector<torch::nn::Module*> blocksInOrder();
    // Everything else (embedders, pad tokens, final layer): small, kept on the compute device.
    std::vector<torch::Tensor> nonBlockParameters();
    // Called around each block with its index in blocksInOrder(); null: none. Not owned.
    void setLayerHooks(nn::LayerHooks* hooks) { m_hooks = hooks; }

private:
    struct ItemLayout;
    struct SequencePlan;
    struct BatchPlan;

    // Everything a forward needs besides activations (sizes, masks, RoPE rotations), moved to the device before any
    // compute is queued.
    BatchPlan planBatch(const std::vector<torch::Tensor>& latents, const std::vector<torch::Tensor>& captions) const;
    // The plan of the last call's shapes (the sampler's steps all have the same), else a new one.
    std::shared_ptr<const BatchPlan> cachedPlan(const std::vector<torch::Tensor>& latents,
                                                const std::vector<torch::Tensor>& captions);
    ItemLayout describeItem(const torch::Tensor& latent, const torch::Tensor& caption, std::size_t index) const;
    static SequencePlan planSequence(const std::vector<torch::Tensor>& rotations, std::vector<std::int64_t> lengths,
                                     const torch::Device& device);
    torch::Tensor embedImages(const std::vector<torch::Tensor>& latents, const BatchPlan& plan);
    torch::Tensor embedCaptions(const std::vector<torch::Tensor>& captions, const BatchPlan& plan);
    static torch::Tensor unify(const torch::Tensor& images, const torch::Tensor& captions, const BatchPlan& plan);
    // Runs `blocks`, whose first has index `firstIndex` in blocksInOrder().
    torch::Tensor runBlocks(torch::nn::ModuleList& blocks, std::size_t firstIndex, torch::Tensor x,
                            const SequencePlan& plan, const torch::Tensor& adaln);
    torch::Tensor patchify(const torch::Tensor& latent) const;
    torch::Tensor unpatchify(const torch::Tensor& tokens, const ItemLayout& item) const;

    io::TransformerConfig m_config;
    RopeEmbedder m_rope;
    nn::Linear m_xEmbedder{nullptr};
    nn::RMSNorm m_capNorm{nullptr};
    nn::Linear m_capLinear{nullptr};
    ZImageTimestepEmbedder m_tEmbedder{nullptr};
    torch::Tensor m_xPadToken;   // [1, dim]
    torch::Tensor m_capPadToken; // [1, dim]
    torch::nn::ModuleList m_noiseRefiner{nullptr};
    torch::nn::ModuleList m_contextRefiner{nullptr};
    torch::nn::ModuleList m_layers{nullptr};
    ZImageFinalLayer m_finalLayer{nullptr};

    nn::LayerHooks* m_hooks = nullptr;
    std::mutex m_planMutex;
    std::vector<std::int64_t> m_planKey; // device and every input shape of m_plan
    std::shared_ptr<const BatchPlan> m_plan;
};
TORCH_MODULE(ZImageTransformer);

} // namespace zimage::models
