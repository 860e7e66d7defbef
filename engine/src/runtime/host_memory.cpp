// Host memory from /proc/self/status (Linux): VmRSS now, VmHWM the peak.

#include "runtime/host_memory.h"

#include <fstream>
#include <string>

namespace zimage::runtime {
namespace {

std::uint64_t readStatusKilobytes(const std::string& key) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(key, 0) == 0)
            return std::stoull(line.substr(key.size())) * 1024;
    }
    return 0;
}

} // namespace

HostMemory readHostMemory() {
    return {readStatusKilobytes("VmRSS:"), readStatusKilobytes("VmHWM:")};
}

} // namespace zimage::runtime
