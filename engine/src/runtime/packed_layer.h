#pragma once
// The parameters of one layer (or any set of parameters) packed into one flat byte buffer, so that moving a layer
// between host and device is a single copy. The parameters stay the module's own tensors: they are re-pointed
// (set_data) at views of whichever buffer holds the weights, so the model code never knows where they live.

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace zimage::runtime {

class PackedLayer {
public:
    explicit PackedLayer(std::vector<torch::Tensor> parameters);
    // Every parameter of `module` (recursively).
    explicit PackedLayer(torch::nn::Module& module);

    // The packed size: every parameter at a 256-byte aligned offset.
    std::int64_t bytes() const { return m_bytes; }
    // Where the weights live between uses (their "home"): a device, or host memory.
    torch::Device homeDevice() const;

    // Moves the home to `device` (host memory: page-locked when CUDA is present), copying the weights unless
    // `copyWeights` is false (right after the modules are built, before the checkpoint is loaded into them: the
    // uninitialised memory is never touched). No-op when the home is already there.
    void moveHome(const torch::Device& device, bool copyWeights = true);
    // Points the parameters at `buffer` (uint8, at least bytes() long, on any device) without copying.
    void bindTo(const torch::Tensor& buffer);
    // Points the parameters back at their home.
    void bindHome();
    const torch::Tensor& home() const { return m_home; }

private:
    struct Entry {
        torch::Tensor parameter;
        std::int64_t offset = 0;
        std::int64_t bytes = 0;
    };
    std::vector<Entry> m_entries;
    std::int64_t m_bytes = 0;
    torch::Tensor m_home; // uint8 [m_bytes]; undefined until the first moveHome (parameters keep their own storage)
};

} // namespace zimage::runtime
