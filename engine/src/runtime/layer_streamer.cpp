#include "runtime/layer_streamer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace zimage::runtime {

LayerStreamer::LayerStreamer(std::vector<PackedLayer*> layers, const torch::Device& device, int slots,
                             std::vector<bool> streamed)
    : m_layers(std::move(layers))
    , m_positionOfLayer(m_layers.size(), -1)
    , m_device(device) {
    if (!streamed.empty() && streamed.size() != m_layers.size())
        throw std::invalid_argument("layer streaming: the streamed mask must have one entry per layer");
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        // Streaming copies host memory to the device: a layer whose home is host memory streams (device indices
        // play no part: "cuda" and "cuda:0" are the same device here).
        const bool isStreamed = streamed.empty() ? m_layers[i]->homeDevice().is_cpu() != device.is_cpu() : streamed[i];
        if (!isStreamed)
            continue;
        m_positionOfLayer[i] = static_cast<long>(m_streamed.size());
        m_streamed.push_back(i);
        m_slotBytes = std::max(m_slotBytes, m_layers[i]->bytes());
    }
    const auto slotCount = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(slots, 1)), 1,
                                                   std::max<std::size_t>(m_streamed.size(), 1));
    m_slots.resize(m_streamed.empty() ? 0 : slotCount);
}

LayerStreamer::~LayerStreamer() {
    try {
        if (m_copier)
            m_copier->synchronize();
        for (const auto index : m_streamed)
            m_layers[index]->bindHome();
    } catch (const std::exception& error) {
        spdlog::warn("layer streaming: cleanup failed: {}", error.what());
    }
}

void LayerStreamer::queueCopies() {
    // Keep every slot busy: up to slots.size() uses ahead of the one running.
    const bool lastPassOnly = !m_prefetchAcrossPasses;
    const std::size_t passEnd = (m_used / m_streamed.size() + 1) * m_streamed.size();
    while (m_queued < m_used + m_slots.size() && !(lastPassOnly && m_queued >= passEnd)) {
        const int slot = slotOf(m_queued);
        auto* layer = m_layers[m_streamed[m_queued % m_streamed.size()]];
        auto destination = m_slots[static_cast<std::size_t>(slot)].narrow(0, 0, layer->bytes());
        m_copier->copyIntoSlot(slot, destination, layer->home());
        ++m_queued;
    }
}

void LayerStreamer::beforeLayer(std::size_t index) {
    if (index >= m_positionOfLayer.size())
        throw std::logic_error("layer streaming: layer " + std::to_string(index) + " is not in the stack");
    const long position = m_positionOfLayer[index];
    if (position < 0)
        return;
    if (m_slots.front().defined() == false) {
        for (auto& slot : m_slots)
            slot = torch::empty({m_slotBytes}, torch::TensorOptions().dtype(torch::kUInt8).device(m_device));
        m_copier = std::make_unique<SlotCopier>(m_device, static_cast<int>(m_slots.size()));
    }
    if (static_cast<std::size_t>(position) != m_used % m_streamed.size() || m_inLayer)
        throw std::logic_error("layer streaming: layer " + std::to_string(index) + " ran out of order");
    queueCopies();
    const int slot = slotOf(m_used);
    m_copier->waitForSlot(slot);
    m_layers[index]->bindTo(m_slots[static_cast<std::size_t>(slot)]);
    m_inLayer = true;
}

void LayerStreamer::afterLayer(std::size_t index) {
    if (index >= m_positionOfLayer.size() || m_positionOfLayer[index] < 0)
        return;
    m_layers[index]->bindHome();
    m_copier->releaseSlot(slotOf(m_used));
    m_inLayer = false;
    ++m_used;
    queueCopies();
}

} // namespace zimage::runtime
