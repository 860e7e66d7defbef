// Builds without CUDA (the Debian LibTorch): host figures only.

#include "runtime/device_memory.h"
#include "runtime/memory_stats.h"

namespace zimage {

MemoryStats readMemoryStats(int cudaDevice) {
    return runtime::readMemory(cudaDevice);
}

namespace runtime {

bool cudaBuildAvailable() {
    return false;
}

MemoryStats readMemory(int) {
    return hostMemoryStats();
}

void resetPeakMemory(int) {}
void releaseCachedMemory(int) {}
void synchronizeDevice(int) {}

} // namespace runtime
} // namespace zimage
