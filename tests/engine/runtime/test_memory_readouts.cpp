// The torch-free memory readouts: NVML loaded with dlopen (missing, bogus and foreign libraries must leave it
// unavailable, never crash), the host figures from /proc, and the device figures' two sources. Expected values come
// from the kernel's own accounting (sysconf's physical pages is MemTotal; RSS grows by the pages touched) and from
// the definitions in memory.h.

#include "runtime/host_memory.h"
#include "runtime/memory_stats.h"
#include "runtime/nvml.h"
#include "test_harness.h"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

using namespace zimage;
using namespace zimage::runtime;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

// A bus id no machine has: domain ffff is outside what PCI hosts use.
constexpr const char* kAbsentBusId = "ffff:ff:1f.7";

} // namespace

TEST_CASE(nvmlFromAMissingFileIsUnavailable) {
    const NvmlLibrary nvml("/nonexistent-folder/libnvidia-ml.so.1");
    CHECK(!nvml.available());
    CHECK(nvml.problem().find("cannot load /nonexistent-folder/libnvidia-ml.so.1") != std::string::npos);
    CHECK(!nvml.memory("0000:00:06.0", 0).has_value());
    CHECK(!nvml.memory("", 0).has_value());
}

TEST_CASE(nvmlFromAFileThatIsNoLibraryIsUnavailable) {
    const auto file = zimage::test::tempDir("bogus-nvml") / "libnvidia-ml.so.1";
    std::ofstream(file) << "this is a text file, not an ELF shared object\n";
    const NvmlLibrary nvml(file.string());
    CHECK(!nvml.available());
    CHECK(nvml.problem().find(file.string()) != std::string::npos);
    CHECK(!nvml.memory("", 0).has_value());
}

TEST_CASE(nvmlFromALibraryWithoutItsFunctionsIsUnavailable) {
    // The C maths library loads everywhere and has none of NVML's symbols.
    const NvmlLibrary nvml("libm.so.6");
    CHECK(!nvml.available());
    CHECK(nvml.problem().find("has no nvmlInit_v2") != std::string::npos);
    CHECK(!nvml.memory("", 0).has_value());
}

TEST_CASE(nvmlOfThisMachineAnswersOnlyWhereTheDriverHasIt) {
    const NvmlLibrary nvml;
    const auto memory = queryNvmlMemory("", 0);
    // The process-wide library and a fresh one agree on whether NVML is here (the machine decides, not the test).
    CHECK_EQ(memory.has_value(), nvml.available());
    CHECK(!queryNvmlMemory(kAbsentBusId, 0).has_value());
    CHECK(!queryNvmlMemory("", -1).has_value());
    if (!memory)
        return; // no NVIDIA driver here: "not available" is the whole answer
    CHECK(memory->totalBytes > 0);
    CHECK(memory->freeBytes <= memory->totalBytes);
    CHECK(memory->usedBytes <= memory->totalBytes);
    // NVML's v1 figures split the total exactly (used counts the driver's reserved memory).
    CHECK_EQ(memory->usedBytes + memory->freeBytes, memory->totalBytes);
}

TEST_CASE(hostFiguresArePlausible) {
    const auto host = readHostMemory();
    CHECK(host.rssBytes > 0);
    CHECK(host.peakRssBytes >= host.rssBytes);
    CHECK(host.totalBytes > 0);
    CHECK(host.rssBytes <= host.totalBytes);
    CHECK(host.availableBytes > 0);
    CHECK(host.availableBytes <= host.totalBytes);
    // sysconf's physical pages come from the same kernel counter as MemTotal (sysinfo's totalram).
    const auto pages = static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES));
    const auto pageSize = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    CHECK_NEAR(static_cast<double>(host.totalBytes), static_cast<double>(pages * pageSize), 1024.0);
}

TEST_CASE(residentSetGrowsByThePagesTouched) {
    constexpr std::size_t kBytes = 64 * kMiB;
    const auto before = readHostMemory();
    const auto block = std::make_unique<char[]>(kBytes);
    std::memset(block.get(), 1, kBytes); // touching every page makes it resident
    const auto during = readHostMemory();
    // All 64 MiB are resident now; allow 8 MiB for pages the kernel reclaimed elsewhere in the meantime.
    CHECK(during.rssBytes >= before.rssBytes + kBytes - 8 * kMiB);
    CHECK(during.peakRssBytes >= during.rssBytes);
    CHECK(block[kBytes - 1] == 1);
}

TEST_CASE(withoutCudaOnlyTheHostIsFilledIn) {
    const auto stats = hostMemoryStats();
    CHECK(!stats.deviceAvailable);
    CHECK(stats.deviceSource == DeviceMemorySource::None);
    CHECK_EQ(stats.deviceTotalBytes, 0u);
    CHECK_EQ(stats.deviceFreeBytes, 0u);
    CHECK_EQ(stats.deviceUsedBytes, 0u);
    CHECK_EQ(stats.allocatedBytes, 0u);
    CHECK_EQ(stats.peakReservedBytes, 0u);
    CHECK(stats.hostRssBytes > 0);
    CHECK(stats.peakHostRssBytes >= stats.hostRssBytes);
    CHECK(stats.hostTotalBytes >= stats.hostAvailableBytes);
    CHECK(stats.hostAvailableBytes > 0);
}

TEST_CASE(deviceFiguresSayWhereTheyCameFrom) {
    MemoryStats fromCuda;
    setDeviceFigures(fromCuda, /*cudaFreeBytes=*/3 * kMiB, /*cudaTotalBytes=*/10 * kMiB);
    CHECK(fromCuda.deviceAvailable);
    CHECK(fromCuda.deviceSource == DeviceMemorySource::CudaRuntime);
    CHECK_EQ(fromCuda.deviceUsedBytes, 7 * kMiB); // cudaMemGetInfo has no "used": total - free
    CHECK_EQ(fromCuda.deviceTotalBytes, 10 * kMiB);

    MemoryStats fromNvml;
    setDeviceFigures(fromNvml, NvmlMemory{10 * kMiB, 3 * kMiB, 6 * kMiB});
    CHECK(fromNvml.deviceSource == DeviceMemorySource::Nvml);
    CHECK_EQ(fromNvml.deviceUsedBytes, 6 * kMiB); // NVML's own figure, taken as given
    CHECK_EQ(fromNvml.deviceFreeBytes, 3 * kMiB);

    CHECK_EQ(deviceMemorySourceName(DeviceMemorySource::None), "none");
    CHECK_EQ(deviceMemorySourceName(DeviceMemorySource::CudaRuntime), "cuda_runtime");
    CHECK_EQ(deviceMemorySourceName(DeviceMemorySource::Nvml), "nvml");
}

TEST_CASE(readoutsAreSafeFromSeveralThreads) {
    // The GUI polls from its own thread while the engine works; the sanitizer build checks these reads.
    std::atomic<int> implausible{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
        readers.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                const auto stats = hostMemoryStats();
                const auto nvml = queryNvmlMemory("", 0);
                if (stats.hostRssBytes == 0 || stats.hostAvailableBytes > stats.hostTotalBytes ||
                    (nvml && nvml->freeBytes > nvml->totalBytes))
                    ++implausible;
            }
        });
    std::vector<std::unique_ptr<char[]>> blocks;
    for (int i = 0; i < 64; ++i) { // the main thread allocates meanwhile
        blocks.push_back(std::make_unique<char[]>(kMiB));
        std::memset(blocks.back().get(), i, kMiB);
    }
    for (auto& reader : readers)
        reader.join();
    CHECK_EQ(implausible.load(), 0);
}
