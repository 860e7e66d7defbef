#include "runtime/memory_stats.h"

#include "runtime/host_memory.h"

namespace zimage {

std::string_view deviceMemorySourceName(DeviceMemorySource source) {
    switch (source) {
    case DeviceMemorySource::CudaRuntime:
        return "cuda_runtime";
    case DeviceMemorySource::Nvml:
        return "nvml";
    case DeviceMemorySource::None:
        break;
    }
    return "none";
}

namespace runtime {

MemoryStats hostMemoryStats() {
    const auto host = readHostMemory();
    MemoryStats stats;
    stats.hostRssBytes = host.rssBytes;
    stats.peakHostRssBytes = host.peakRssBytes;
    stats.hostTotalBytes = host.totalBytes;
    stats.hostAvailableBytes = host.availableBytes;
    return stats;
}

void setDeviceFigures(MemoryStats& stats, const NvmlMemory& nvml) {
    stats.deviceAvailable = true;
    stats.deviceTotalBytes = nvml.totalBytes;
    stats.deviceFreeBytes = nvml.freeBytes;
    stats.deviceUsedBytes = nvml.usedBytes;
    stats.deviceSource = DeviceMemorySource::Nvml;
}

void setDeviceFigures(MemoryStats& stats, std::uint64_t cudaFreeBytes, std::uint64_t cudaTotalBytes) {
    stats.deviceAvailable = true;
    stats.deviceTotalBytes = cudaTotalBytes;
    stats.deviceFreeBytes = cudaFreeBytes;
    stats.deviceUsedBytes = cudaTotalBytes >= cudaFreeBytes ? cudaTotalBytes - cudaFreeBytes : 0;
    stats.deviceSource = DeviceMemorySource::CudaRuntime;
}

} // namespace runtime
} // namespace zimage
