#pragma once
// Calls around each layer of a stack (the DiT's blocks, the text encoder's decoder layers), so that the runtime can
// bring a layer's weights onto the device just before it runs and send them back after (layer streaming).

#include <cstddef>

namespace zimage::nn {

class LayerHooks {
public:
    virtual ~LayerHooks() = default;
    // `index` counts the stack's layers in execution order, from 0, in every forward.
    virtual void beforeLayer(std::size_t index) = 0;
    virtual void afterLayer(std::size_t index) = 0;
};

// Installs hooks on a model for one scope and removes them at its end, also when the forward throws.
template <typename Model>
class ScopedLayerHooks {
public:
    ScopedLayerHooks(Model& model, LayerHooks* hooks)
        : m_model(model) {
        m_model.setLayerHooks(hooks);
    }
    ~ScopedLayerHooks() { m_model.setLayerHooks(nullptr); }
    ScopedLayerHooks(const ScopedLayerHooks&) = delete;
    ScopedLayerHooks& operator=(const ScopedLayerHooks&) = delete;

private:
    Model& m_model;
};

} // namespace zimage::nn
