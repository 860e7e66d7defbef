// CUDA build: whole-device figures from NVML (else cudaMemGetInfo), this process's from the caching allocator.

#include "runtime/device_memory.h"
#include "runtime/memory_stats.h"
#include "runtime/nvml.h"

#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <spdlog/spdlog.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cuda_runtime_api.h>

#include <string>

namespace zimage {

MemoryStats readMemoryStats(int cudaDevice) {
    return runtime::readMemory(cudaDevice);
}

namespace runtime {
namespace {

// How NVML finds the device: CUDA's indices are not NVML's (CUDA numbers the fastest device first, and
// CUDA_VISIBLE_DEVICES renumbers), the PCI bus id is the same for both. Empty when CUDA cannot say.
std::string pciBusId(int cudaDevice) {
    char id[32] = {}; // "0000:3b:00.0"; NVML's own form, "00000000:3B:00.0", is the longest at 16 characters
    if (cudaDeviceGetPCIBusId(id, sizeof id, cudaDevice) != cudaSuccess) {
        cudaGetLastError(); // the failure is handled here; clear it for whatever this thread runs next
        return {};
    }
    return id;
}

void addDeviceFigures(MemoryStats& stats, int cudaDevice) {
    if (const auto nvml = queryNvmlMemory(pciBusId(cudaDevice), cudaDevice)) {
        setDeviceFigures(stats, *nvml);
        return;
    }
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(cudaDevice));
    std::size_t freeBytes = 0, totalBytes = 0;
    if (cudaMemGetInfo(&freeBytes, &totalBytes) == cudaSuccess)
        setDeviceFigures(stats, freeBytes, totalBytes);
    else
        cudaGetLastError();
}

void addAllocatorFigures(MemoryStats& stats, int cudaDevice) {
    const auto allocator = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(cudaDevice));
    // StatType::AGGREGATE (all pools) is index 0; the enum moved namespaces between LibTorch versions.
    constexpr std::size_t aggregate = 0;
    stats.allocatedBytes = static_cast<std::uint64_t>(allocator.allocated_bytes[aggregate].current);
    stats.peakAllocatedBytes = static_cast<std::uint64_t>(allocator.allocated_bytes[aggregate].peak);
    stats.reservedBytes = static_cast<std::uint64_t>(allocator.reserved_bytes[aggregate].current);
    stats.peakReservedBytes = static_cast<std::uint64_t>(allocator.reserved_bytes[aggregate].peak);
}

// The caching allocator sets itself up at CUDA's lazy initialisation (the first CUDA tensor); before that its
// per-device calls throw "Allocator not initialized", and there are no figures to read or reset.
bool allocatorReady() {
#if TORCH_VERSION_MAJOR >= 2
    return c10::cuda::CUDACachingAllocator::get()->initialized();
#else
    at::globalContext().lazyInitCUDA(); // LibTorch 1.x cannot tell: set it up
    return true;
#endif
}

bool isCudaDevice(int cudaDevice) {
    // device_count() is a size_t in LibTorch 1.x and a c10::DeviceIndex (a signed char) in 2.x.
    return torch::cuda::is_available() && cudaDevice >= 0 && cudaDevice < static_cast<int>(torch::cuda::device_count());
}

} // namespace

bool cudaBuildAvailable() {
    return torch::cuda::is_available();
}

MemoryStats readMemory(int cudaDevice) {
    auto stats = hostMemoryStats();
    try {
        if (!isCudaDevice(cudaDevice))
            return stats;
        addDeviceFigures(stats, cudaDevice);
        if (allocatorReady())
            addAllocatorFigures(stats, cudaDevice);
    } catch (const std::exception& error) {
        // A readout is polled: a broken driver must not take the caller down, and must not flood the log.
        spdlog::debug("memory readout of cuda:{} failed: {}", cudaDevice, error.what());
    }
    return stats;
}

void resetPeakMemory(int cudaDevice) {
    if (torch::cuda::is_available() && allocatorReady())
        c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(cudaDevice));
}

void releaseCachedMemory(int cudaDevice) {
    if (!torch::cuda::is_available())
        return;
    synchronizeDevice(cudaDevice);
    c10::cuda::CUDACachingAllocator::emptyCache();
}

void synchronizeDevice(int cudaDevice) {
    if (torch::cuda::is_available()) {
        c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(cudaDevice));
        c10::cuda::device_synchronize();
    }
}

} // namespace runtime
} // namespace zimage
