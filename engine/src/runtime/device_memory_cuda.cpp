// CUDA build: figures from the caching allocator and cudaMemGetInfo.

#include "runtime/device_memory.h"
#include "runtime/host_memory.h"

#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/cuda.h>

#include <cuda_runtime_api.h>

namespace zimage::runtime {

bool cudaBuildAvailable() {
    return torch::cuda::is_available();
}

MemoryReport readMemory(int cudaDevice) {
    MemoryReport report;
    const auto host = readHostMemory();
    report.hostRssBytes = host.rssBytes;
    report.peakHostRssBytes = host.peakRssBytes;
    if (!torch::cuda::is_available())
        return report;
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(cudaDevice));
    std::size_t freeBytes = 0, totalBytes = 0;
    if (cudaMemGetInfo(&freeBytes, &totalBytes) == cudaSuccess) {
        report.deviceAvailable = true;
        report.deviceFreeBytes = freeBytes;
        report.deviceTotalBytes = totalBytes;
    }
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(cudaDevice));
    // StatType::AGGREGATE (all pools) is index 0; the enum moved namespaces between LibTorch versions.
    constexpr std::size_t aggregate = 0;
    report.allocatedBytes = static_cast<std::uint64_t>(stats.allocated_bytes[aggregate].current);
    report.peakAllocatedBytes = static_cast<std::uint64_t>(stats.allocated_bytes[aggregate].peak);
    report.reservedBytes = static_cast<std::uint64_t>(stats.reserved_bytes[aggregate].current);
    report.peakReservedBytes = static_cast<std::uint64_t>(stats.reserved_bytes[aggregate].peak);
    return report;
}

void resetPeakMemory(int cudaDevice) {
    if (torch::cuda::is_available())
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

} // namespace zimage::runtime
