#pragma once
// Memory figures for readouts and results: the whole device, this process's caching allocator, and the host.

#include <cstdint>
#include <string_view>

namespace zimage {

// Where the whole-device figures (total, free, used) came from.
enum class DeviceMemorySource {
    None,        // no CUDA device: the device figures are all 0
    CudaRuntime, // cudaMemGetInfo: used = total - free
    Nvml,        // the driver's management library, the figures nvidia-smi shows
};

// "none", "cuda_runtime", "nvml" (the names the JSON outputs use).
std::string_view deviceMemorySourceName(DeviceMemorySource source);

struct MemoryStats {
    bool deviceAvailable = false; // false on the CPU
    // The whole device, other processes included. NVML's total also counts the memory the driver reserves for
    // itself (about 600 MiB on an H200), which cudaMemGetInfo leaves out; their free figures agree.
    std::uint64_t deviceTotalBytes = 0;
    std::uint64_t deviceFreeBytes = 0;
    std::uint64_t deviceUsedBytes = 0;
    DeviceMemorySource deviceSource = DeviceMemorySource::None;
    // This process's caching allocator.
    std::uint64_t allocatedBytes = 0;     // live tensors
    std::uint64_t peakAllocatedBytes = 0; // since the last peak reset (the generation's start)
    std::uint64_t reservedBytes = 0;      // held from the driver: live tensors and cached blocks
    std::uint64_t peakReservedBytes = 0;
    // The host: this process, and the machine (/proc/meminfo MemTotal and MemAvailable).
    std::uint64_t hostRssBytes = 0;
    std::uint64_t peakHostRssBytes = 0; // the process's high-water mark
    std::uint64_t hostTotalBytes = 0;
    std::uint64_t hostAvailableBytes = 0;
};

// The figures now, for `cudaDevice` (a CUDA device index as this process numbers them). Thread-safe, so a readout
// can poll it from its own thread while a generation runs; never throws. Without CUDA (or without a driver) only the
// host figures are filled in and deviceAvailable is false.
MemoryStats readMemoryStats(int cudaDevice = 0);

} // namespace zimage
