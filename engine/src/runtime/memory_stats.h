#pragma once
// The torch-free parts of MemoryStats: the host figures (all a build without CUDA reports) and the whole-device
// figures from either source. device_memory_*.cpp add the caching allocator's.

#include "runtime/nvml.h"

#include <zimage/memory.h>

#include <cstdint>

namespace zimage::runtime {

// Host figures filled in, deviceAvailable false.
MemoryStats hostMemoryStats();

void setDeviceFigures(MemoryStats& stats, const NvmlMemory& nvml);
// From cudaMemGetInfo, which has no "used": used = total - free.
void setDeviceFigures(MemoryStats& stats, std::uint64_t cudaFreeBytes, std::uint64_t cudaTotalBytes);

} // namespace zimage::runtime
