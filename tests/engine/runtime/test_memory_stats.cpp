// readMemoryStats through the engine: host-only without CUDA; on a CUDA machine the whole-device figures against
// cudaMemGetInfo and NVML, and the caching allocator's figures against a 256 MiB tensor (the allocator hands out
// exactly the bytes asked for when they are a multiple of its 2 MiB large-block rounding). Then polling from four
// threads while the main thread allocates.

#include "runtime/device_memory.h"
#include "runtime/nvml.h"
#include "test_harness.h"

#include <torch/torch.h>

#ifdef ZIMAGE_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

using namespace zimage;

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
constexpr std::int64_t kBlockBytes = 256 * kMiB;

} // namespace

TEST_CASE(withoutCudaOnlyTheHostIsReported) {
    if (runtime::cudaBuildAvailable())
        SKIP("CUDA is here: the device cases below apply");
    for (const int device : {0, 1, -1}) {
        const auto stats = readMemoryStats(device);
        CHECK(!stats.deviceAvailable);
        CHECK(stats.deviceSource == DeviceMemorySource::None);
        CHECK_EQ(stats.deviceTotalBytes, 0u);
        CHECK_EQ(stats.peakAllocatedBytes, 0u);
        CHECK(stats.hostRssBytes > 0);
        CHECK(stats.hostAvailableBytes <= stats.hostTotalBytes);
    }
}

TEST_CASE(aDeviceThatDoesNotExistReadsAsNoDevice) {
    // Whatever the build: an index past the last device must give host figures, not an exception.
    const auto stats = readMemoryStats(1000);
    CHECK(!stats.deviceAvailable);
    CHECK(stats.hostTotalBytes > 0);
}

#ifdef ZIMAGE_HAVE_CUDA

TEST_CASE(beforeTheFirstCudaTensorThereAreNoAllocatorFigures) {
    // The first CUDA case of this file (cases run in file order): the caching allocator is not set up yet, so its
    // per-device calls would throw. A GUI polls in this state before its first generation.
    if (!runtime::cudaBuildAvailable())
        SKIP("no CUDA device");
    runtime::resetPeakMemory(0);
    const auto stats = readMemoryStats(0);
    CHECK(stats.deviceAvailable);
    CHECK_EQ(stats.allocatedBytes, 0u);
    CHECK_EQ(stats.peakReservedBytes, 0u);
}

TEST_CASE(wholeDeviceFiguresAgreeWithCudaAndNvml) {
    if (!runtime::cudaBuildAvailable())
        SKIP("no CUDA device");
    torch::empty({1}, torch::kCUDA); // a context, so that cudaMemGetInfo counts it like the readout does
    const auto stats = readMemoryStats(0);
    std::size_t cudaFree = 0, cudaTotal = 0;
    REQUIRE(cudaMemGetInfo(&cudaFree, &cudaTotal) == cudaSuccess);
    REQUIRE(stats.deviceAvailable);
    CHECK(stats.deviceUsedBytes <= stats.deviceTotalBytes);
    CHECK(stats.deviceFreeBytes <= stats.deviceTotalBytes);
    // Other processes may allocate in between; 256 MiB is far above what an idle test machine moves.
    CHECK_NEAR(static_cast<double>(stats.deviceFreeBytes), static_cast<double>(cudaFree), 256.0 * kMiB);
    if (stats.deviceSource == DeviceMemorySource::CudaRuntime) {
        CHECK_EQ(stats.deviceTotalBytes, cudaTotal);
        CHECK(!runtime::NvmlLibrary().available());
    } else {
        REQUIRE(stats.deviceSource == DeviceMemorySource::Nvml);
        // NVML's total counts the driver's reserved memory, which cudaMemGetInfo's leaves out (615 MiB on an
        // H200, measured); its free figure is cudaMemGetInfo's.
        CHECK(stats.deviceTotalBytes >= cudaTotal);
        CHECK(stats.deviceTotalBytes - cudaTotal < 4096 * static_cast<std::uint64_t>(kMiB));
        CHECK_EQ(stats.deviceUsedBytes + stats.deviceFreeBytes, stats.deviceTotalBytes);
    }
    std::printf("cuda:0 %s: total %.0f MiB (cudaMemGetInfo %.0f), used %.0f MiB\n",
                std::string(deviceMemorySourceName(stats.deviceSource)).c_str(),
                static_cast<double>(stats.deviceTotalBytes) / kMiB, static_cast<double>(cudaTotal) / kMiB,
                static_cast<double>(stats.deviceUsedBytes) / kMiB);
}

TEST_CASE(allocatorFiguresFollowA256MiBTensor) {
    if (!runtime::cudaBuildAvailable())
        SKIP("no CUDA device");
    runtime::releaseCachedMemory(0);
    runtime::resetPeakMemory(0);
    const auto before = readMemoryStats(0);
    auto block = torch::empty({kBlockBytes}, torch::TensorOptions().dtype(torch::kUInt8).device(torch::kCUDA));
    const auto during = readMemoryStats(0);
    CHECK_EQ(during.allocatedBytes - before.allocatedBytes, static_cast<std::uint64_t>(kBlockBytes));
    CHECK(during.reservedBytes >= during.allocatedBytes);
    CHECK(during.peakAllocatedBytes >= during.allocatedBytes);
    // The whole device's use includes this process's reserve, and grew by the new block.
    CHECK(during.deviceUsedBytes >= during.reservedBytes);
    CHECK(during.deviceUsedBytes >= before.deviceUsedBytes + kBlockBytes - 64 * kMiB);

    block = torch::Tensor();
    const auto after = readMemoryStats(0);
    CHECK_EQ(after.allocatedBytes, before.allocatedBytes);
    CHECK(after.peakAllocatedBytes >= before.allocatedBytes + kBlockBytes); // the peak outlives the tensor
    runtime::resetPeakMemory(0);
    const auto reset = readMemoryStats(0);
    CHECK_EQ(reset.peakAllocatedBytes, reset.allocatedBytes);
    runtime::releaseCachedMemory(0);
    CHECK(readMemoryStats(0).reservedBytes < during.reservedBytes);
}

#endif

TEST_CASE(readingFromFourThreadsWhileAllocating) {
    const auto device = runtime::cudaBuildAvailable() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    std::atomic<bool> done{false};
    std::atomic<int> reads{0}, inconsistent{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
        readers.emplace_back([&] {
            while (!done) {
                const auto stats = readMemoryStats(0);
                // Each figure pair comes from one snapshot, so these hold in every read.
                if (stats.allocatedBytes > stats.peakAllocatedBytes || stats.allocatedBytes > stats.reservedBytes ||
                    stats.deviceUsedBytes > stats.deviceTotalBytes || stats.hostRssBytes == 0)
                    ++inconsistent;
                ++reads;
            }
        });
    std::vector<torch::Tensor> tensors;
    for (int i = 0; i < 200; ++i) {
        tensors.push_back(torch::full({1024, 256}, static_cast<float>(i), torch::TensorOptions().device(device)));
        if (tensors.size() > 16)
            tensors.erase(tensors.begin());
    }
    // Let every reader finish at least a few reads even where allocating is quicker than reading.
    while (reads < 16)
        std::this_thread::yield();
    done = true;
    for (auto& reader : readers)
        reader.join();
    CHECK_EQ(inconsistent.load(), 0);
    CHECK_EQ(tensors.back()[0][0].item<float>(), 199.0f);
}
