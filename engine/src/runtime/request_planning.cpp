#include "runtime/request_planning.h"

#include "runtime/device_memory.h"
#include "runtime/tiled_vae.h"

#include <algorithm>
#include <cmath>

namespace zimage::runtime {
namespace {

constexpr std::uint64_t kMiB = 1024ull * 1024;
constexpr std::uint64_t kGiB = 1024 * kMiB;
// Kept free for the CUDA context's own growth (cuBLAS/cuDNN handles, kernels loaded late) and other processes.
constexpr std::uint64_t kDeviceMarginBytes = 384 * kMiB;
// The caching allocator rounds blocks up and cannot always reuse freed ones: plan for a little less than the budget.
constexpr double kFragmentationShare = 0.04;
// Workspaces beside the tensors a stage holds (cuBLAS, attention scratch, masks, RoPE tables).
constexpr std::uint64_t kStageOverheadBytes = 256 * kMiB;
// Tensors of a DiT block alive at once, per token, in units of the model width and the FFN width: the residual
// stream and its normalised/modulated copies, q/k/v and the attention output (~10 x dim), and the SwiGLU
// hidden activations (w1 x, w3 x and their product: 3 x ffn).
constexpr std::uint64_t kTransformerDimTensors = 10;
constexpr std::uint64_t kTransformerFfnTensors = 3;
// The same for a text-encoder layer (its attention on LibTorch 1.13 keeps float32 scores for all heads).
constexpr std::uint64_t kTextDimTensors = 10;
constexpr std::uint64_t kTextFfnTensors = 3;

std::uint64_t roundUp(std::uint64_t value, std::uint64_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

std::uint64_t itemsPerPass(const GenerationRequest& request) {
    const auto batch = std::max<std::uint64_t>(request.prompts.size(), 1);
    return request.guidance > 0.0 ? 2 * batch : batch;
}

} // namespace

std::uint64_t memoryBudgetBytes(const MemoryOptions& options, bool onDevice, int cudaDevice) {
    const auto stats = readMemory(cudaDevice);
    double budget = 0.0;
    if (onDevice && stats.deviceAvailable) {
        budget =
            static_cast<double>(stats.deviceFreeBytes + stats.reservedBytes) - static_cast<double>(kDeviceMarginBytes);
        if (options.memoryFraction > 0.0 && options.memoryFraction < 1.0)
            budget = std::min(budget, options.memoryFraction * static_cast<double>(stats.deviceTotalBytes));
    } else {
        budget = static_cast<double>(stats.hostAvailableBytes + stats.hostRssBytes);
    }
    if (options.vramBudgetGiB)
        budget = std::min(budget, *options.vramBudgetGiB * static_cast<double>(kGiB));
    budget *= 1.0 - kFragmentationShare;
    return static_cast<std::uint64_t>(std::max(budget, 0.0));
}

std::uint64_t textEncoderActivationBytes(const ModelShapes& shapes, const GenerationRequest& request) {
    const auto& config = shapes.textEncoder;
    // Prompts are encoded one at a time; the chat template adds a few tokens to the prompt's own.
    const auto tokens = static_cast<std::uint64_t>(request.maxSequenceLength) + 32;
    const auto perToken = kTextDimTensors * static_cast<std::uint64_t>(config.hiddenSize) +
                          kTextFfnTensors * static_cast<std::uint64_t>(config.intermediateSize);
    const auto scores = static_cast<std::uint64_t>(config.numHeads) * tokens * tokens * 4;
    return tokens * perToken * shapes.elementBytes + scores + kStageOverheadBytes;
}

std::uint64_t transformerActivationBytes(const ModelShapes& shapes, const GenerationRequest& request) {
    const auto& config = shapes.transformer;
    const auto patch = static_cast<std::uint64_t>(8 * config.patchSize);
    const auto imageTokens = roundUp(roundUp(static_cast<std::uint64_t>(request.height), patch) / patch *
                                         (roundUp(static_cast<std::uint64_t>(request.width), patch) / patch),
                                     32);
    const auto captionTokens = roundUp(static_cast<std::uint64_t>(request.maxSequenceLength) + 32, 32);
    const auto perToken = kTransformerDimTensors * static_cast<std::uint64_t>(config.dim) +
                          kTransformerFfnTensors * static_cast<std::uint64_t>(config.ffnHidden());
    // The sampler's float32 latents, velocity and guidance temporaries are small beside this.
    return itemsPerPass(request) * (imageTokens + captionTokens) * perToken * shapes.elementBytes + kStageOverheadBytes;
}

std::uint64_t vaeDecodeBytes(const ModelShapes& shapes, const GenerationRequest& request, int tileSize) {
    const auto batch = static_cast<std::int64_t>(std::max<std::size_t>(request.prompts.size(), 1));
    const std::int64_t latentHeight = request.height / 8, latentWidth = request.width / 8;
    if (tileSize == 0 || (tileSize >= request.width && tileSize >= request.height))
        return estimateDecodeBytes(shapes.vae, batch, latentHeight, latentWidth, shapes.elementBytes) +
               kStageOverheadBytes;
    const std::int64_t tileLatent = tileSize / 8;
    // One tile's activations, plus the blend's float32 accumulator of the whole image (colour + weight).
    const auto accumulator =
        static_cast<std::uint64_t>(4 * (batch * shapes.vae.outChannels + 1) * request.height * request.width);
    return estimateDecodeBytes(shapes.vae, batch, std::min(tileLatent, latentHeight), std::min(tileLatent, latentWidth),
                               shapes.elementBytes) +
           accumulator + kStageOverheadBytes;
}

PlannerInput plannerInput(const ModelFootprint& footprint, const ModelShapes& shapes, const GenerationRequest& request,
                          const MemoryOptions& options, std::uint64_t budgetBytes, bool onDevice) {
    PlannerInput input;
    input.model = footprint;
    input.textEncoderActivationBytes = textEncoderActivationBytes(shapes, request);
    input.transformerActivationBytes = transformerActivationBytes(shapes, request);
    input.vaeDecodeBytes = [shapes, request](int tileSize) { return vaeDecodeBytes(shapes, request, tileSize); };
    input.width = request.width;
    input.height = request.height;
    input.steps = request.sigmas.empty() ? request.steps : static_cast<int>(request.sigmas.size()) - 1;
    input.budgetBytes = budgetBytes;
    input.onDevice = onDevice;
    input.options = options;
    return input;
}

} // namespace zimage::runtime
