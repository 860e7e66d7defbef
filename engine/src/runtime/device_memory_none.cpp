// Builds without CUDA (the Debian LibTorch): host figures only.

#include "runtime/device_memory.h"
#include "runtime/host_memory.h"

namespace zimage::runtime {

bool cudaBuildAvailable() {
    return false;
}

MemoryReport readMemory(int) {
    MemoryReport report;
    const auto host = readHostMemory();
    report.hostRssBytes = host.rssBytes;
    report.peakHostRssBytes = host.peakRssBytes;
    return report;
}

void resetPeakMemory(int) {}
void releaseCachedMemory(int) {}
void synchronizeDevice(int) {}

} // namespace zimage::runtime
