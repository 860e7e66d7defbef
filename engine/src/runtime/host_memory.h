#pragma once

#include <cstdint>

namespace zimage::runtime {

struct HostMemory {
    std::uint64_t rssBytes = 0;
    std::uint64_t peakRssBytes = 0; // the process's high-water mark
};

HostMemory readHostMemory();

} // namespace zimage::runtime
