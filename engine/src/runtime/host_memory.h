#pragma once
// The host's memory: this process's resident set and the machine's totals. Torch-free; thread-safe.

#include <cstdint>

namespace zimage::runtime {

struct HostMemory {
    std::uint64_t rssBytes = 0;
    std::uint64_t peakRssBytes = 0;   // the process's high-water mark
    std::uint64_t totalBytes = 0;     // the machine (or the container, where /proc/meminfo shows its own)
    std::uint64_t availableBytes = 0; // what new allocations can get without swapping, as the kernel estimates
};

// Figures from /proc (Linux). A figure that cannot be read is 0; never throws.
HostMemory readHostMemory();

} // namespace zimage::runtime
