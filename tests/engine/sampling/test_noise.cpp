// Noise against golden/rng.safetensors, written by torch: `cpu.<seed>` = randn(1,16,16,16) from a CPU generator,
// `cuda.<seed>` from a CUDA generator; `*_shape128.<seed>.first64/last64` = the first/last 64 values of
// randn(1,16,128,128) (a 1024x1024 image's noise). The CUDA cases run only where CUDA is (label gpu).

#include "io/safetensors.h"
#include "io/tensor_collection.h"
#include "io/tensor_loader.h"
#include "sampling/noise.h"
#include "test_harness.h"

#include <torch/torch.h>

using zimage::sampling::makeNoise;
using zimage::sampling::NoiseSource;

namespace {

const std::vector<std::uint64_t> kSeeds = {0, 1, 42, 123456789, 4294967303ull, 9223372036854775819ull};

zimage::io::TensorCollection rngGolden() {
    return zimage::io::TensorCollection::fromFile(zimage::test::fixtureDir() / "golden" / "rng.safetensors");
}

torch::Tensor golden(const zimage::io::TensorCollection& file, const std::string& name) {
    return zimage::io::viewTensor(file.at(name)).to(torch::kFloat32);
}

void checkSource(NoiseSource source, const std::string& prefix, bool checkLast) {
    const auto file = rngGolden();
    const auto device = source == NoiseSource::Cpu ? torch::Device(torch::kCPU) : torch::Device(torch::kCUDA);
    for (const auto seed : kSeeds) {
        const std::vector<std::uint64_t> one = {seed};
        const auto small = makeNoise(one, 16, 16, 16, source, device).cpu();
        const auto expected = golden(file, prefix + "." + std::to_string(seed));
        CHECK(torch::equal(small.reshape(expected.sizes()), expected));

        const auto large = makeNoise(one, 16, 128, 128, source, device).cpu().flatten();
        const auto first = golden(file, prefix + "_shape128." + std::to_string(seed) + ".first64");
        CHECK(torch::equal(large.slice(0, 0, 64), first.flatten()));
        if (checkLast) {
            const auto last = golden(file, prefix + "_shape128." + std::to_string(seed) + ".last64");
            CHECK(torch::equal(large.slice(0, large.numel() - 64), last.flatten()));
        }
    }
}

} // namespace

TEST_CASE(cpuGeneratorMatchesTorch) {
    checkSource(NoiseSource::Cpu, "cpu", true);
}

TEST_CASE(batchUsesSeedPlusIndex) {
    // Image i of a batch is drawn from seed + i: the batch equals the single draws stacked.
    const auto seeds = zimage::sampling::batchSeeds(41, 2);
    CHECK_EQ(seeds[1], 42u);
    const auto batch = makeNoise(seeds, 16, 16, 16, NoiseSource::Cpu, torch::kCPU);
    const auto expected = golden(rngGolden(), "cpu.42");
    CHECK(torch::equal(batch[1].reshape(expected.sizes()), expected));
    CHECK_EQ(zimage::sampling::batchSeeds(~0ull, 2)[1], 0u);
}

TEST_CASE(cudaGeneratorMatchesTorch) {
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    checkSource(NoiseSource::Cuda, "cuda", false);
}

TEST_CASE(cudaNoiseWithoutCudaIsAClearError) {
    if (torch::cuda::is_available())
        SKIP("CUDA is available");
    const std::vector<std::uint64_t> one = {1};
    CHECK_THROWS_WITH(makeNoise(one, 16, 8, 8, NoiseSource::Cuda, torch::kCPU), std::runtime_error, "use CPU noise");
}
