#include "runtime/packed_layer.h"

#include "runtime/device_support.h"

#include <torch/torch.h>

namespace zimage::runtime {
namespace {

constexpr std::int64_t kAlignment = 256; // keeps every view aligned for vectorised kernels

std::vector<torch::Tensor> parametersOf(torch::nn::Module& module) {
    return module.parameters(/*recurse=*/true);
}

torch::Tensor viewInto(const torch::Tensor& buffer, std::int64_t offset, const torch::Tensor& like) {
    return buffer.narrow(0, offset, like.numel() * static_cast<std::int64_t>(like.element_size()))
        .view(like.scalar_type())
        .view(like.sizes());
}

} // namespace

PackedLayer::PackedLayer(std::vector<torch::Tensor> parameters) {
    for (auto& parameter : parameters) {
        const auto bytes = parameter.numel() * static_cast<std::int64_t>(parameter.element_size());
        m_entries.push_back({parameter, m_bytes, bytes});
        m_bytes += (bytes + kAlignment - 1) / kAlignment * kAlignment;
    }
}

PackedLayer::PackedLayer(torch::nn::Module& module)
    : PackedLayer(parametersOf(module)) {}

torch::Device PackedLayer::homeDevice() const {
    if (m_home.defined())
        return m_home.device();
    return m_entries.empty() ? torch::Device(torch::kCPU) : m_entries.front().parameter.device();
}

void PackedLayer::moveHome(const torch::Device& device, bool copyWeights) {
    if (m_home.defined() && m_home.device() == device)
        return;
    auto home = device.is_cpu() ? allocateHostBuffer(m_bytes)
                                : torch::empty({m_bytes}, torch::TensorOptions().dtype(torch::kUInt8).device(device));
    torch::NoGradGuard noGrad;
    if (copyWeights && m_home.defined()) {
        home.copy_(m_home);
    } else if (copyWeights) {
        // Not packed yet: the parameters still have their own storage.
        for (const auto& entry : m_entries)
            viewInto(home, entry.offset, entry.parameter).copy_(entry.parameter);
    }
    m_home = home;
    bindHome();
}

void PackedLayer::bindTo(const torch::Tensor& buffer) {
    torch::NoGradGuard noGrad;
    for (auto& entry : m_entries)
        entry.parameter.set_data(viewInto(buffer, entry.offset, entry.parameter));
}

void PackedLayer::bindHome() {
    bindTo(m_home);
}

} // namespace zimage::runtime
