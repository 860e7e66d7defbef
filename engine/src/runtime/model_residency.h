#pragma once
// Where each network's weights live, following a MemoryPlan: the text encoder's layers and embeddings, the DiT's
// blocks and the rest, the VAE. Applying a plan moves only what changes (out to host memory first, so the device
// never holds both), and hands out the layer streamers the pipeline installs for each stage.

#include "models/autoencoder_kl.h"
#include "models/qwen3_text_encoder.h"
#include "models/zimage_transformer.h"
#include "runtime/layer_streamer.h"
#include "runtime/memory_planner.h"
#include "runtime/packed_layer.h"

#include <zimage/memory_plan.h>

#include <torch/types.h>

#include <memory>
#include <optional>
#include <vector>

namespace zimage::runtime {

class ModelResidency {
public:
    // Packs the networks' parameters (no copy yet). `device` is the compute device; on the CPU every plan is
    // "everything resident" and nothing moves.
    ModelResidency(models::Qwen3TextEncoderImpl& textEncoder, models::ZImageTransformerImpl& transformer,
                   models::AutoencoderKLImpl& vae, const torch::Device& device);

    // The weights' sizes, for the planner.
    ModelFootprint footprint() const;

    // Moves the weights to where `plan` wants them. `copyWeights` false: right after the modules are built, to place
    // uninitialised memory before the checkpoint is loaded into it.
    void apply(const MemoryPlan& plan, bool copyWeights = true);
    const std::optional<MemoryPlan>& applied() const { return m_applied; }

    // The device the text encoder computes on (the CPU for the cpu placement).
    torch::Device textEncoderDevice() const;
    // Streamers for a stage, or null when every layer of it is resident.
    std::unique_ptr<LayerStreamer> textEncoderStreamer();
    std::unique_ptr<LayerStreamer> transformerStreamer();

private:
    static void placeAll(std::vector<PackedLayer*> layers, const std::vector<torch::Device>& homes, bool copyWeights);

    torch::Device m_device;
    std::vector<PackedLayer> m_textLayers;
    std::optional<PackedLayer> m_textEmbeddings;
    std::vector<PackedLayer> m_blocks;
    std::optional<PackedLayer> m_transformerRest;
    std::optional<PackedLayer> m_vae;
    std::optional<MemoryPlan> m_applied;
};

} // namespace zimage::runtime
