#pragma once
// One text-to-image generation, as the reference ZImagePipeline computes it: prompts -> embeddings (cached) ->
// per-image seeded noise -> N x (DiT, guidance, Euler step) -> VAE decode -> RGB.

#include "io/model_config.h"
#include "models/autoencoder_kl.h"
#include "models/zimage_transformer.h"
#include "prompt_encoder.h"
#include "runtime/placement.h"

#include <zimage/progress.h>
#include <zimage/request.h>
#include <zimage/result.h>

#include <optional>
#include <string>

namespace zimage {

struct LoadedModels {
    std::optional<PromptEncoder> prompts;
    models::ZImageTransformer transformer{nullptr};
    models::AutoencoderKL vae{nullptr};
    io::TransformerConfig transformerConfig;
    io::VaeConfig vaeConfig;
    io::SchedulerConfig schedulerConfig;
    runtime::Placement placement;
    int cudaDevice = 0;
    std::string modelName;
};

// Throws EngineError(InvalidInput) for an invalid request and EngineError(Cancelled) when `cancel` is set between
// steps or stages; torch errors propagate (the Engine converts them).
GenerationResult runGeneration(LoadedModels& models, const GenerationRequest& request, Observer& observer,
                               CancelToken& cancel);

} // namespace zimage
