#pragma once
// Memory figures for readouts and results.

#include <cstdint>

namespace zimage {

struct MemoryReport {
    bool deviceAvailable = false; // false on the CPU
    std::uint64_t deviceTotalBytes = 0;
    std::uint64_t deviceFreeBytes = 0;
    std::uint64_t allocatedBytes = 0;     // the caching allocator's live tensors
    std::uint64_t peakAllocatedBytes = 0; // since the generation began
    std::uint64_t reservedBytes = 0;
    std::uint64_t peakReservedBytes = 0;
    std::uint64_t hostRssBytes = 0;
    std::uint64_t peakHostRssBytes = 0;
};

} // namespace zimage
