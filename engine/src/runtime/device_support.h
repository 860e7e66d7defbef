#pragma once
// The few device facilities beyond plain tensors that layer streaming and the planner need. The CUDA build
// implements them with the CUDA runtime and side streams (device_support_cuda.cpp); without CUDA they degrade to
// plain host memory and synchronous copies (device_support_none.cpp), which is what the CPU tests exercise.

#include <torch/types.h>

#include <cstdint>
#include <memory>

namespace zimage::runtime {

// `bytes` of host memory as a flat uint8 tensor, page-locked when CUDA is available (cudaHostAlloc: exact size,
// unlike the caching host allocator, which rounds up to a power of two). Throws EngineError(OutOfMemory).
torch::Tensor allocateHostBuffer(std::int64_t bytes);

// Creates the CUDA context and the caching allocator of `cudaDevice` (they start lazily, and the allocator's figures
// and cap fail before). No-op without CUDA.
void initializeDevice(int cudaDevice);

// Caps the caching allocator of `cudaDevice` at `fraction` of the device (0 or 1: no cap). No-op without CUDA.
void capDeviceMemory(int cudaDevice, double fraction);

// bf16 matmuls are native from compute capability 8.0 (Ampere) on.
bool deviceSupportsBf16(int cudaDevice);

// Copies into a fixed set of device slots on a side stream, ordered against the compute stream with events:
// a slot is refilled only after the compute that used it is done, and compute waits for a slot's copy.
class SlotCopier {
public:
    SlotCopier(const torch::Device& device, int slots);
    ~SlotCopier();
    SlotCopier(const SlotCopier&) = delete;
    SlotCopier& operator=(const SlotCopier&) = delete;

    // Queues dst <- src on the side stream after the compute stream released `slot`.
    void copyIntoSlot(int slot, torch::Tensor& dst, const torch::Tensor& src);
    // The compute stream waits until the last copy into `slot` is done.
    void waitForSlot(int slot);
    // Marks the compute queued so far as the last use of `slot`'s current contents.
    void releaseSlot(int slot);
    // Waits for every queued copy.
    void synchronize();

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace zimage::runtime
