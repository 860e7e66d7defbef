#pragma once
// Layer streaming: the layers of a stack whose weights live in host memory are copied into a few device slots just
// ahead of use, on a side stream, while the layers before them compute. With two slots a copy overlaps the compute
// of the previous streamed layer and of every resident layer in between; with as many slots as streamed layers
// every copy is queued at once (the "sequential" placement: the whole stack on the device while it runs).

#include "nn/layer_hooks.h"
#include "runtime/device_support.h"
#include "runtime/packed_layer.h"

#include <torch/types.h>

#include <memory>
#include <vector>

namespace zimage::runtime {

class LayerStreamer : public nn::LayerHooks {
public:
    // `layers`: the whole stack in execution order; those whose home is not `device` are streamed (or those marked
    // in `streamed`, when given: the CPU tests stream between two buffers in host memory). The slots are allocated
    // at the first streamed layer, so a stage that turns out to have nothing to run costs nothing.
    LayerStreamer(std::vector<PackedLayer*> layers, const torch::Device& device, int slots,
                  std::vector<bool> streamed = {});
    // Waits for queued copies and points every layer back at its home (also after a failed forward).
    ~LayerStreamer() override;
    LayerStreamer(const LayerStreamer&) = delete;
    LayerStreamer& operator=(const LayerStreamer&) = delete;

    void beforeLayer(std::size_t index) override;
    void afterLayer(std::size_t index) override;

    // While true (the default) the end of a pass already queues the first layers of the next one (the sampler runs
    // the DiT once per step); set false before the last pass so that nothing is copied in vain.
    void setPrefetchAcrossPasses(bool prefetch) { m_prefetchAcrossPasses = prefetch; }
    std::size_t streamedCount() const { return m_streamed.size(); }

private:
    void queueCopies();
    int slotOf(std::size_t sequence) const { return static_cast<int>(sequence % m_slots.size()); }

    std::vector<PackedLayer*> m_layers;
    std::vector<std::size_t> m_streamed; // indices into m_layers of the streamed ones, in order
    std::vector<long> m_positionOfLayer; // layer index -> position in m_streamed, -1 when resident
    torch::Device m_device;
    std::int64_t m_slotBytes = 0;
    std::vector<torch::Tensor> m_slots;
    std::unique_ptr<SlotCopier> m_copier;
    // Streamed-layer uses counted over all passes: use n is layer m_streamed[n % size] in slot n % slots.
    std::size_t m_queued = 0;
    std::size_t m_used = 0;
    bool m_inLayer = false;
    bool m_prefetchAcrossPasses = true;
};

} // namespace zimage::runtime
