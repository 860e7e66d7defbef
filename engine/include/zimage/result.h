#pragma once
// What a generation returns: the images (8-bit RGB and float), the exact request, timings and warnings.

#include <zimage/memory.h>
#include <zimage/memory_plan.h>
#include <zimage/request.h>

#include <cstdint>
#include <string>
#include <vector>

namespace zimage {

struct GeneratedImage {
    int width = 0;
    int height = 0;
    std::uint64_t seed = 0;
    std::string prompt;
    std::vector<std::uint8_t> rgb; // height * width * 3, row-major, interleaved
    std::vector<float> pixels;     // 3 * height * width, planar (C, H, W), in [0, 1]
};

struct Timings {
    double textEncoderMs = 0.0; // 0 when every prompt came from the embedding cache
    std::vector<double> stepMs; // one per denoising step
    double denoiseMs = 0.0;
    double vaeDecodeMs = 0.0;
    double totalMs = 0.0;
};

struct GenerationResult {
    std::vector<GeneratedImage> images;
    GenerationRequest request; // as run: Auto device and precision resolved to what was used
    Timings timings;
    MemoryStats memory;
    MemoryPlan plan;  // where the weights were and whether the decode was tiled
    int attempts = 1; // 2 when an out-of-memory error was recovered from with a cheaper plan (see warnings)
    std::vector<std::string> warnings;
    std::string deviceName; // "cpu", "cuda:0 (NVIDIA H200)"
    bool textEmbeddingsCached = false;
};

} // namespace zimage
