#pragma once
// The planner's inputs for one request: the memory budget from the device's figures and the user's settings, and
// activation estimates from the architecture and the image size.

#include "io/model_config.h"
#include "runtime/memory_planner.h"

#include <zimage/memory_plan.h>
#include <zimage/request.h>

#include <cstddef>
#include <cstdint>

namespace zimage::runtime {

struct ModelShapes {
    io::TextEncoderConfig textEncoder;
    io::TransformerConfig transformer;
    io::VaeConfig vae;
    std::size_t elementBytes = 2; // the compute dtype's
};

// Device memory the engine may plan with: what it could hold (free + what its allocator already reserved, the
// weights among it), capped by the memory fraction and the user's budget, less a margin for the CUDA context's
// growth and allocator fragmentation. On the CPU: the host's available memory plus this process's resident set.
std::uint64_t memoryBudgetBytes(const MemoryOptions& options, bool onDevice, int cudaDevice);

// Peak activations of each stage for `request` (conservative; see the constants in the .cpp).
std::uint64_t textEncoderActivationBytes(const ModelShapes& shapes, const GenerationRequest& request);
std::uint64_t transformerActivationBytes(const ModelShapes& shapes, const GenerationRequest& request);
// A decode of square tiles of `tileSize` image pixels (0: the whole image at once), the batch's images in one go.
std::uint64_t vaeDecodeBytes(const ModelShapes& shapes, const GenerationRequest& request, int tileSize);

PlannerInput plannerInput(const ModelFootprint& footprint, const ModelShapes& shapes, const GenerationRequest& request,
                          const MemoryOptions& options, std::uint64_t budgetBytes, bool onDevice);

} // namespace zimage::runtime
