#include "model_factory.h"

#include "engine_boundary.h"
#include "io/model_config.h"
#include "io/tensor_loader.h"
#include "nn/layers.h"
#include "runtime/device_memory.h"
#include "runtime/device_support.h"
#include "runtime/request_planning.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>

namespace zimage {
namespace {

struct Networks {
    models::Qwen3TextEncoder textEncoder{nullptr};
    models::ZImageTransformer transformer{nullptr};
    models::AutoencoderKL vae{nullptr};
};

// The modules are built in host memory without touching it (uninitialised parameters); placing them per the plan
// then allocates every weight where it will live, and loading fills it there.
Networks buildNetworks(const io::TextEncoderConfig& textConfig, const io::TransformerConfig& transformerConfig,
                       const io::VaeConfig& vaeConfig, const runtime::Placement& placement) {
    const auto options = torch::TensorOptions().dtype(placement.dtype).device(torch::kCPU);
    Networks networks;
    networks.textEncoder = models::Qwen3TextEncoder(textConfig, /*fullDepth=*/false, options);
    networks.transformer = models::ZImageTransformer(transformerConfig, options);
    networks.vae = models::AutoencoderKL(vaeConfig, /*withEncoder=*/false, options);
    for (torch::nn::Module* module : {static_cast<torch::nn::Module*>(networks.textEncoder.get()),
                                      static_cast<torch::nn::Module*>(networks.transformer.get()),
                                      static_cast<torch::nn::Module*>(networks.vae.get())})
        module->eval();
    return networks;
}

// Places the weights for a typical first job (one 1024x1024 image) under the user's memory options, before any is
// loaded: a card that cannot hold the whole model never has to.
std::unique_ptr<runtime::ModelResidency> placeWeights(Networks& networks, const io::TextEncoderConfig& textConfig,
                                                      const io::TransformerConfig& transformerConfig,
                                                      const io::VaeConfig& vaeConfig,
                                                      const runtime::Placement& placement,
                                                      const EngineOptions& options) {
    const bool onDevice = placement.device.is_cuda();
    if (onDevice) {
        runtime::initializeDevice(options.cudaDevice);
        runtime::capDeviceMemory(options.cudaDevice, options.memory.memoryFraction);
    }
    auto residency = std::make_unique<runtime::ModelResidency>(*networks.textEncoder, *networks.transformer,
                                                               *networks.vae, placement.device);
    GenerationRequest firstJob;
    firstJob.prompts = {""};
    const runtime::ModelShapes shapes{textConfig, transformerConfig, vaeConfig, c10::elementSize(placement.dtype)};
    const auto budget = runtime::memoryBudgetBytes(options.memory, onDevice, options.cudaDevice);
    const auto input =
        runtime::plannerInput(residency->footprint(), shapes, firstJob, options.memory, budget, onDevice);
    const auto plan = runtime::planMemory(input);
    try {
        residency->apply(plan, /*copyWeights=*/false);
        spdlog::info("weights placed for: {}", plan.summary());
    } catch (const std::exception& error) {
        // A forced plan (or a wrong estimate) that does not fit: place for a cheaper one rather than fail to open.
        const auto cheaper = isOutOfMemory(error) ? runtime::cheaperPlan(input, plan) : std::nullopt;
        if (!cheaper)
            throw;
        runtime::releaseCachedMemory(options.cudaDevice);
        spdlog::warn("out of memory placing the weights for {}; placed them for {}", plan.summary(),
                     cheaper->summary());
        residency->apply(*cheaper, /*copyWeights=*/false);
    }
    return residency;
}

LoadedModels assemble(Networks networks, text::Tokenizer tokenizer, const io::TextEncoderConfig& textConfig,
                      const io::TransformerConfig& transformerConfig, const io::VaeConfig& vaeConfig,
                      const io::SchedulerConfig& schedulerConfig, const runtime::Placement& placement,
                      const EngineOptions& options, std::string modelName,
                      std::unique_ptr<runtime::ModelResidency> residency) {
    LoadedModels models;
    models.prompts.emplace(std::move(tokenizer), networks.textEncoder);
    models.transformer = networks.transformer;
    models.vae = networks.vae;
    models.residency = std::move(residency);
    models.textEncoderConfig = textConfig;
    models.transformerConfig = transformerConfig;
    models.vaeConfig = vaeConfig;
    models.schedulerConfig = schedulerConfig;
    models.placement = placement;
    models.cudaDevice = options.cudaDevice;
    models.modelName = std::move(modelName);
    return models;
}

// "Z-Image-Turbo" from ".../models--Tongyi-MAI--Z-Image-Turbo/snapshots/<rev>", else the folder's own name.
std::string modelNameFor(const ModelSource& source) {
    for (auto path = source.root; !path.empty() && path != path.parent_path(); path = path.parent_path()) {
        const auto name = path.filename().string();
        if (name.rfind("models--", 0) == 0)
            return name.substr(name.rfind("--") + 2);
    }
    if (source.layout == ModelLayout::ComfySplit)
        return source.transformer.stem().string();
    return source.root.filename().string();
}

} // namespace

bool isOutOfMemoryMessage(const std::string& message) {
    std::string lower = message;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower.find("out of memory") != std::string::npos || lower.find("can't allocate") != std::string::npos;
}

bool isOutOfMemory(const std::exception& error) {
    if (const auto* engineError = dynamic_cast<const EngineError*>(&error))
        return engineError->code() == ErrorCode::OutOfMemory;
    if (dynamic_cast<const std::bad_alloc*>(&error))
        return true;
    if (const auto* torchError = dynamic_cast<const c10::Error*>(&error))
        return isOutOfMemoryMessage(torchError->what_without_backtrace());
    return false;
}

LoadedModels loadModels(const io::ModelFiles& files, const ModelSource& source, const EngineOptions& options) {
    const auto placement = runtime::resolvePlacement(options.device, options.precision, options.cudaDevice);
    runtime::applyMathMode(placement);
    auto tokenizer = text::Tokenizer::fromFolder(source.tokenizer);
    auto networks = buildNetworks(files.textEncoderConfig, files.transformerConfig, files.vaeConfig, placement);
    auto residency =
        placeWeights(networks, files.textEncoderConfig, files.transformerConfig, files.vaeConfig, placement, options);
    // The VAE runs in the compute dtype like the reference pipeline loaded with torch_dtype; its weights are small.
    io::loadModuleWeightsInPlace(*networks.textEncoder, files.textEncoder);
    io::loadModuleWeightsInPlace(*networks.transformer, files.transformer);
    io::loadModuleWeightsInPlace(*networks.vae, files.vae);
    return assemble(std::move(networks), std::move(tokenizer), files.textEncoderConfig, files.transformerConfig,
                    files.vaeConfig, files.schedulerConfig, placement, options, modelNameFor(source),
                    std::move(residency));
}

LoadedModels buildRandomModels(const std::filesystem::path& manifest, const std::filesystem::path& tokenizerFolder,
                               const EngineOptions& options) {
    const auto json = io::readJsonFile(manifest);
    if (!json.contains("configs"))
        throw io::IoError(manifest, "has no \"configs\" object (is it real_model_manifest.json?)");
    const auto& configs = json["configs"];
    const auto textConfig = io::TextEncoderConfig::fromJson(configs.at("text_encoder"));
    const auto transformerConfig = io::TransformerConfig::fromJson(configs.at("transformer"));
    const auto vaeConfig = io::VaeConfig::fromJson(configs.at("vae"));
    const auto schedulerConfig = io::SchedulerConfig::fromJson(configs.at("scheduler"));
    const auto placement = runtime::resolvePlacement(options.device, options.precision, options.cudaDevice);
    runtime::applyMathMode(placement);
    auto tokenizer = text::Tokenizer::fromFolder(tokenizerFolder);
    auto networks = buildNetworks(textConfig, transformerConfig, vaeConfig, placement);
    auto residency = placeWeights(networks, textConfig, transformerConfig, vaeConfig, placement, options);
    std::uint64_t seed = 1;
    for (torch::nn::Module* module : {static_cast<torch::nn::Module*>(networks.textEncoder.get()),
                                      static_cast<torch::nn::Module*>(networks.transformer.get()),
                                      static_cast<torch::nn::Module*>(networks.vae.get())})
        nn::randomizeParameters(*module, 0.02, seed++, placement.device);
    return assemble(std::move(networks), std::move(tokenizer), textConfig, transformerConfig, vaeConfig,
                    schedulerConfig, placement, options, "Z-Image-Turbo (random weights)", std::move(residency));
}

} // namespace zimage
