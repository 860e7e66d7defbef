// Builds without CUDA: host memory is plain memory and copies happen at once, in order.

#include "runtime/device_support.h"

#include <zimage/errors.h>

#include <torch/torch.h>

namespace zimage::runtime {

torch::Tensor allocateHostBuffer(std::int64_t bytes) {
    return torch::empty({bytes}, torch::TensorOptions().dtype(torch::kUInt8));
}

void initializeDevice(int) {}
void capDeviceMemory(int, double) {}

bool deviceSupportsBf16(int) {
    return false;
}

struct SlotCopier::Impl {};

SlotCopier::SlotCopier(const torch::Device&, int)
    : m_impl(std::make_unique<Impl>()) {}
SlotCopier::~SlotCopier() = default;

void SlotCopier::copyIntoSlot(int, torch::Tensor& dst, const torch::Tensor& src) {
    dst.copy_(src);
}

void SlotCopier::waitForSlot(int) {}
void SlotCopier::releaseSlot(int) {}
void SlotCopier::synchronize() {}

} // namespace zimage::runtime
