#include "runtime/model_residency.h"

#include <torch/torch.h>

namespace zimage::runtime {
namespace {

constexpr int kStreamSlots = 2;

std::vector<PackedLayer*> pointers(std::vector<PackedLayer>& layers) {
    std::vector<PackedLayer*> result;
    for (auto& layer : layers)
        result.push_back(&layer);
    return result;
}

} // namespace

ModelResidency::ModelResidency(models::Qwen3TextEncoderImpl& textEncoder, models::ZImageTransformerImpl& transformer,
                               models::AutoencoderKLImpl& vae, const torch::Device& device)
    : m_device(device) {
    for (std::int64_t i = 0; i < textEncoder.layerCount(); ++i)
        m_textLayers.emplace_back(*textEncoder.layer(i));
    m_textEmbeddings.emplace(*textEncoder.embedTokens());
    for (auto* block : transformer.blocksInOrder())
        m_blocks.emplace_back(*block);
    m_transformerRest.emplace(transformer.nonBlockParameters());
    m_vae.emplace(vae);
}

ModelFootprint ModelResidency::footprint() const {
    ModelFootprint footprint;
    for (const auto& layer : m_textLayers)
        footprint.textEncoderLayerBytes.push_back(static_cast<std::uint64_t>(layer.bytes()));
    footprint.textEncoderOtherBytes = static_cast<std::uint64_t>(m_textEmbeddings->bytes());
    for (const auto& block : m_blocks)
        footprint.transformerBlockBytes.push_back(static_cast<std::uint64_t>(block.bytes()));
    footprint.transformerOtherBytes = static_cast<std::uint64_t>(m_transformerRest->bytes());
    footprint.vaeBytes = static_cast<std::uint64_t>(m_vae->bytes());
    return footprint;
}

void ModelResidency::placeAll(std::vector<PackedLayer*> layers, const std::vector<torch::Device>& homes,
                              bool copyWeights) {
    // Out to host memory first, then in: the device never holds a layer twice.
    for (std::size_t i = 0; i < layers.size(); ++i)
        if (homes[i].is_cpu())
            layers[i]->moveHome(homes[i], copyWeights);
    for (std::size_t i = 0; i < layers.size(); ++i)
        if (!homes[i].is_cpu())
            layers[i]->moveHome(homes[i], copyWeights);
}

void ModelResidency::apply(const MemoryPlan& plan, bool copyWeights) {
    const torch::Device host(torch::kCPU);
    std::vector<PackedLayer*> layers;
    std::vector<torch::Device> homes;
    const bool textResident = plan.textEncoder.placement == StagePlacement::Resident;
    for (auto* layer : pointers(m_textLayers)) {
        layers.push_back(layer);
        homes.push_back(textResident ? m_device : host);
    }
    layers.push_back(&*m_textEmbeddings);
    homes.push_back(textResident ? m_device : host);
    const auto mask = residentMask(static_cast<int>(m_blocks.size()), plan.transformer.residentLayers);
    for (std::size_t i = 0; i < m_blocks.size(); ++i) {
        layers.push_back(&m_blocks[i]);
        homes.push_back(mask[i] ? m_device : host);
    }
    layers.push_back(&*m_transformerRest);
    homes.push_back(m_device);
    layers.push_back(&*m_vae);
    homes.push_back(m_device);
    placeAll(std::move(layers), homes, copyWeights);
    m_applied = plan;
}

torch::Device ModelResidency::textEncoderDevice() const {
    if (m_applied && m_applied->textEncoder.placement == StagePlacement::Cpu)
        return torch::Device(torch::kCPU);
    return m_device;
}

std::unique_ptr<LayerStreamer> ModelResidency::textEncoderStreamer() {
    if (!m_applied || textEncoderDevice().is_cpu())
        return nullptr;
    const auto placement = m_applied->textEncoder.placement;
    if (placement != StagePlacement::Sequential && placement != StagePlacement::Streamed)
        return nullptr;
    // Sequential: a slot per layer, every copy queued at once; streamed: two slots.
    const int slots = placement == StagePlacement::Sequential ? static_cast<int>(m_textLayers.size()) : kStreamSlots;
    auto streamer = std::make_unique<LayerStreamer>(pointers(m_textLayers), m_device, slots);
    streamer->setPrefetchAcrossPasses(false);
    return streamer;
}

std::unique_ptr<LayerStreamer> ModelResidency::transformerStreamer() {
    if (!m_applied || m_applied->transformer.placement == StagePlacement::Resident)
        return nullptr;
    return std::make_unique<LayerStreamer>(pointers(m_blocks), m_device, kStreamSlots);
}

} // namespace zimage::runtime
