#pragma once
// One text-to-image generation, as the reference ZImagePipeline computes it: prompts -> embeddings (cached) ->
// per-image seeded noise -> N x (DiT, guidance, Euler step) -> VAE decode -> RGB.

#include "io/model_config.h"
#include "models/autoencoder_kl.h"
#include "models/zimage_transformer.h"
#include "prompt_encoder.h"
#include "runtime/model_residency.h"
#include "runtime/placement.h"

#include <zimage/memory_plan.h>
#include <zimage/progress.h>
#include <zimage/request.h>
#include <zimage/result.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace zimage {

// Where a test may break a generation on purpose (out-of-memory retry, NaN guard): called with the tensor just made.
enum class FaultPoint { TextEncoded, StepDone, Decoded };
using FaultInjector = std::function<void(FaultPoint point, torch::Tensor& tensor)>;

struct LoadedModels {
    std::optional<PromptEncoder> prompts;
    models::ZImageTransformer transformer{nullptr};
    models::AutoencoderKL vae{nullptr};
    std::unique_ptr<runtime::ModelResidency> residency; // where the weights live; follows the plan
    io::TextEncoderConfig textEncoderConfig;
    io::TransformerConfig transformerConfig;
    io::VaeConfig vaeConfig;
    io::SchedulerConfig schedulerConfig;
    runtime::Placement placement;
    int cudaDevice = 0;
    std::string modelName;
    FaultInjector faultInjector; // tests only
};

// Runs the request with the weights placed as `plan` says (the caller applied it). Throws EngineError(InvalidInput)
// for an invalid request, EngineError(Cancelled) when `cancel` is set between steps or stages, and
// EngineError(Internal) when the DiT's latents stop being finite; torch errors propagate (the Engine converts them).
// A decoded image with NaN/Inf is decoded again in float32, with a warning.
GenerationResult runGeneration(LoadedModels& models, const GenerationRequest& request, const MemoryPlan& plan,
                               Observer& observer, CancelToken& cancel);

} // namespace zimage
