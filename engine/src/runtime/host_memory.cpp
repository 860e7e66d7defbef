// Host memory from /proc (Linux): /proc/self/status VmRSS now and VmHWM the peak, /proc/meminfo MemTotal and
// MemAvailable. Both files list "Key:<spaces or a tab>1234 kB" lines.

#include "runtime/host_memory.h"

#include <charconv>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>

namespace zimage::runtime {
namespace {

struct KilobyteField {
    std::string_view key; // with its colon, "VmRSS:"
    std::uint64_t* bytes;
};

// Fills the fields found in one "Key: value kB" file; the others keep their value.
void readKilobyteFields(const char* file, std::initializer_list<KilobyteField> fields) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        for (const auto& field : fields) {
            if (line.rfind(field.key, 0) != 0)
                continue;
            const auto begin = line.find_first_not_of(" \t", field.key.size());
            std::uint64_t kilobytes = 0;
            if (begin != std::string::npos &&
                std::from_chars(line.data() + begin, line.data() + line.size(), kilobytes).ec == std::errc())
                *field.bytes = kilobytes * 1024;
        }
    }
}

} // namespace

HostMemory readHostMemory() {
    HostMemory memory;
    readKilobyteFields("/proc/self/status", {{"VmRSS:", &memory.rssBytes}, {"VmHWM:", &memory.peakRssBytes}});
    std::uint64_t freeBytes = 0;
    readKilobyteFields(
        "/proc/meminfo",
        {{"MemTotal:", &memory.totalBytes}, {"MemAvailable:", &memory.availableBytes}, {"MemFree:", &freeBytes}});
    // Kernels before 3.14 have no MemAvailable; MemFree is the smaller, safe estimate there.
    if (memory.availableBytes == 0)
        memory.availableBytes = freeBytes;
    return memory;
}

} // namespace zimage::runtime
