#include "sampling/noise.h"

#include <ATen/Context.h>
#include <ATen/core/Generator.h>

#include <mutex>
#include <stdexcept>

namespace zimage::sampling {
namespace {

at::Generator seededGenerator(NoiseSource source, const torch::Device& device, std::uint64_t seed) {
    if (source == NoiseSource::Cuda && !torch::cuda::is_available())
        throw std::runtime_error("CUDA noise was requested but no CUDA device is available; use CPU noise");
    const torch::Device generatorDevice = source == NoiseSource::Cpu
                                              ? torch::Device(torch::kCPU)
                                              : torch::Device(torch::kCUDA, device.is_cuda() ? device.index() : -1);
    // A clone of the default generator is a private generator of the same kind (CPU mt19937 / CUDA Philox), the
    // C++ equivalent of torch.Generator(device).manual_seed(seed); no CUDA headers needed.
    at::Generator base = at::globalContext().defaultGenerator(generatorDevice);
    at::Generator generator;
    {
        std::lock_guard<std::mutex> lock(base.mutex());
        generator = base.clone();
    }
    generator.set_current_seed(seed);
    return generator;
}

} // namespace

torch::Tensor makeNoise(std::span<const std::uint64_t> seeds, std::int64_t channels, std::int64_t height,
                        std::int64_t width, NoiseSource source, const torch::Device& device) {
    const auto drawDevice = source == NoiseSource::Cpu ? torch::Device(torch::kCPU) : device;
    std::vector<torch::Tensor> images;
    images.reserve(seeds.size());
    for (const auto seed : seeds) {
        auto generator = seededGenerator(source, drawDevice, seed);
        const auto options = torch::TensorOptions()
                                 .dtype(torch::kFloat32)
                                 .device(source == NoiseSource::Cpu ? torch::Device(torch::kCPU) : generator.device());
        images.push_back(torch::randn({1, channels, height, width}, generator, options));
    }
    return torch::cat(images, 0).to(device);
}

std::vector<std::uint64_t> batchSeeds(std::uint64_t seed, std::int64_t count) {
    std::vector<std::uint64_t> seeds;
    for (std::int64_t i = 0; i < count; ++i)
        seeds.push_back(seed + static_cast<std::uint64_t>(i));
    return seeds;
}

} // namespace zimage::sampling
