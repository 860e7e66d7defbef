#pragma once
// The memory planner: given what the device can give (the budget), the weights' sizes and the request's activation
// estimates, pick the fastest placement of the text encoder, the DiT and the VAE decode that fits. Pure arithmetic
// (no LibTorch), so every decision is unit-tested on any machine.
//
// Stages run one after the other, so the peak is the largest of three:
//   text   = text encoder on the device during encoding + resident DiT + VAE + text activations
//   DiT    = resident text encoder + resident DiT + two stream slots + VAE + DiT activations
//   decode = resident text encoder + resident DiT + VAE + decode activations (of one tile when tiled)
// Cost (what "fastest" means) counts bytes copied over PCIe per generation at an assumed bandwidth, the text
// encoder on the CPU, and the extra decoder work of overlapping tiles.

#include <zimage/memory_plan.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace zimage::runtime {

struct ModelFootprint {
    std::vector<std::uint64_t> textEncoderLayerBytes; // per decoder layer, in execution order
    std::uint64_t textEncoderOtherBytes = 0;          // token embeddings (and norms)
    std::vector<std::uint64_t> transformerBlockBytes; // per block, in execution order
    std::uint64_t transformerOtherBytes = 0;          // embedders, final layer, pad tokens
    std::uint64_t vaeBytes = 0;
};

struct PlannerInput {
    ModelFootprint model;
    std::uint64_t textEncoderActivationBytes = 0;
    std::uint64_t transformerActivationBytes = 0;
    // Peak decode activations for a tile of `tileSize` image pixels (square), or of the whole image for 0.
    std::function<std::uint64_t(int tileSize)> vaeDecodeBytes;
    int width = 1024; // image pixels
    int height = 1024;
    int steps = 8;
    std::uint64_t budgetBytes = 0;
    bool onDevice = true; // false: everything runs on the CPU; only VAE tiling is planned (against host memory)
    MemoryOptions options;
};

// Never fails: when nothing fits, returns the plan that needs the least device memory with a reason saying so
// (the estimates are conservative; the engine tries it and reports a real out-of-memory clearly).
MemoryPlan planMemory(const PlannerInput& input);

// The plan to retry with after an out-of-memory error with `failed`: a budget below what `failed` was estimated to
// need, user choices except the tile size released. Empty when nothing cheaper exists.
std::optional<MemoryPlan> cheaperPlan(const PlannerInput& input, const MemoryPlan& failed);

// Which of `layers` layers stay resident when `resident` of them may: the streamed ones spread evenly, so each copy
// overlaps the compute of the resident layers before it.
std::vector<bool> residentMask(int layers, int resident);

// The plan for JSON outputs and the generation log: kind, per-stage placement and resident layers, tiling, budget
// and estimate in MiB, reasons.
nlohmann::json planToJson(const MemoryPlan& plan);

// "12.34 GiB", for the plan's reasons and out-of-memory messages.
std::string formatGiB(std::uint64_t bytes);

// The VAE tile sizes the planner tries, largest first (image pixels).
std::vector<int> vaeTileCandidates();

} // namespace zimage::runtime
