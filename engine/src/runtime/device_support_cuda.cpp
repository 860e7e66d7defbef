// CUDA build: pinned host memory from cudaHostAlloc, the allocator cap, and a side stream for weight copies.

#include "runtime/device_support.h"

#include <zimage/errors.h>

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <cuda_runtime_api.h>

#include <vector>

namespace zimage::runtime {

torch::Tensor allocateHostBuffer(std::int64_t bytes) {
    const auto options = torch::TensorOptions().dtype(torch::kUInt8);
    if (!torch::cuda::is_available())
        return torch::empty({bytes}, options);
    void* memory = nullptr;
    if (cudaHostAlloc(&memory, static_cast<std::size_t>(std::max<std::int64_t>(bytes, 1)), cudaHostAllocDefault) !=
        cudaSuccess) {
        cudaGetLastError(); // clear the sticky-free error state of this call
        throw EngineError(ErrorCode::OutOfMemory,
                          "Could not pin " + std::to_string(bytes >> 20) + " MiB of host memory for layer streaming",
                          "Close other programs, or raise the VRAM budget so that fewer layers stream.");
    }
    return torch::from_blob(
        memory, {bytes}, [](void* pointer) { cudaFreeHost(pointer); }, options);
}

void initializeDevice(int cudaDevice) {
    if (!torch::cuda::is_available())
        return;
    // The caching allocator is set up lazily, at the first allocation on the device; its statistics and its cap
    // refuse to work before that ("Allocator not initialized for device").
    torch::empty({1}, torch::TensorOptions().device(torch::kCUDA, static_cast<c10::DeviceIndex>(cudaDevice)));
}

void capDeviceMemory(int cudaDevice, double fraction) {
    if (!torch::cuda::is_available())
        return;
    initializeDevice(cudaDevice);
    c10::cuda::CUDACachingAllocator::setMemoryFraction(fraction > 0.0 && fraction < 1.0 ? fraction : 1.0, cudaDevice);
}

bool deviceSupportsBf16(int cudaDevice) {
    if (!torch::cuda::is_available())
        return false;
    return at::cuda::getDeviceProperties(static_cast<c10::DeviceIndex>(cudaDevice))->major >= 8;
}

struct SlotCopier::Impl {
    explicit Impl(const torch::Device& device, int slots)
        : device(device)
        , onDevice(device.is_cuda()) {
        if (!onDevice)
            return;
        sideStream.emplace(c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device.index()));
        copied.resize(static_cast<std::size_t>(slots));
        released.resize(static_cast<std::size_t>(slots));
        everReleased.assign(static_cast<std::size_t>(slots), false);
    }

    torch::Device device;
    bool onDevice;
    std::optional<c10::cuda::CUDAStream> sideStream;
    std::vector<at::cuda::CUDAEvent> copied;
    std::vector<at::cuda::CUDAEvent> released;
    std::vector<bool> everReleased;
};

SlotCopier::SlotCopier(const torch::Device& device, int slots)
    : m_impl(std::make_unique<Impl>(device, slots)) {}

SlotCopier::~SlotCopier() {
    try {
        synchronize();
    } catch (...) {
        // A failed device at teardown: nothing left to wait for.
    }
}

void SlotCopier::copyIntoSlot(int slot, torch::Tensor& dst, const torch::Tensor& src) {
    if (!m_impl->onDevice) {
        dst.copy_(src);
        return;
    }
    const auto index = static_cast<std::size_t>(slot);
    auto& side = *m_impl->sideStream;
    if (m_impl->everReleased[index])
        m_impl->released[index].block(side);
    {
        const c10::cuda::CUDAStreamGuard guard(side);
        dst.copy_(src, /*non_blocking=*/true);
    }
    m_impl->copied[index].record(side);
}

void SlotCopier::waitForSlot(int slot) {
    if (m_impl->onDevice)
        m_impl->copied[static_cast<std::size_t>(slot)].block(c10::cuda::getCurrentCUDAStream(m_impl->device.index()));
}

void SlotCopier::releaseSlot(int slot) {
    if (!m_impl->onDevice)
        return;
    const auto index = static_cast<std::size_t>(slot);
    m_impl->released[index].record(c10::cuda::getCurrentCUDAStream(m_impl->device.index()));
    m_impl->everReleased[index] = true;
}

void SlotCopier::synchronize() {
    if (m_impl->onDevice)
        m_impl->sideStream->synchronize();
}

} // namespace zimage::runtime
