// The public Engine: opening models (real or random), generating, and the error boundary that turns every internal
// failure into an EngineError.

#include "engine_boundary.h"
#include "io/model_files.h"
#include "io/tensor_loader.h"
#include "model_factory.h"
#include "pipeline.h"
#include "runtime/device_memory.h"

#include <zimage/engine.h>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>

namespace zimage {

struct Engine::Impl {
    LoadedModels models;
};

Engine::Engine(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::open(const ModelSource& source, const EngineOptions& options, Observer* observer) {
    return guardEngineCall(ErrorCode::ModelFiles, [&] {
        const auto start = std::chrono::steady_clock::now();
        if (observer)
            observer->onStage(Stage::Loading);
        const auto files = io::openModelFiles(source);
        auto impl = std::make_unique<Impl>();
        impl->models = loadModels(files, source, options);
        spdlog::info("loaded {} on {} ({}) in {:.1f} s", impl->models.modelName, impl->models.placement.deviceName,
                     precisionName(impl->models.placement.precision),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        return std::unique_ptr<Engine>(new Engine(std::move(impl)));
    });
}

std::unique_ptr<Engine> Engine::openWithRandomWeights(const std::filesystem::path& manifest,
                                                      const std::filesystem::path& tokenizerFolder,
                                                      const EngineOptions& options) {
    return guardEngineCall(ErrorCode::ModelFiles, [&] {
        auto impl = std::make_unique<Impl>();
        impl->models = buildRandomModels(manifest, tokenizerFolder, options);
        return std::unique_ptr<Engine>(new Engine(std::move(impl)));
    });
}

GenerationResult Engine::generate(const GenerationRequest& request, Observer& observer, CancelToken& cancel) {
    auto& models = m_impl->models;
    const auto wanted = runtime::resolvePlacement(
        request.device == DeviceChoice::Auto
            ? (models.placement.device.is_cuda() ? DeviceChoice::Cuda : DeviceChoice::Cpu)
            : request.device,
        request.precision == Precision::Auto ? models.placement.precision : request.precision, models.cudaDevice);
    if (wanted.device != models.placement.device || wanted.dtype != models.placement.dtype)
        throw EngineError(ErrorCode::InvalidInput,
                          "This engine runs on " + models.placement.deviceName + " in " +
                              std::string(precisionName(models.placement.precision)) + "; the request asks for " +
                              wanted.deviceName + " in " + std::string(precisionName(wanted.precision)),
                          "Reopen the model with the device and precision you want.");
    try {
        auto result =
            guardEngineCall(ErrorCode::Internal, [&] { return runGeneration(models, request, observer, cancel); });
        runtime::releaseCachedMemory(models.cudaDevice);
        return result;
    } catch (const EngineError&) {
        // Whatever failed, the next request starts from a clean allocator.
        runtime::releaseCachedMemory(models.cudaDevice);
        throw;
    }
}

std::string Engine::deviceName() const {
    return m_impl->models.placement.deviceName;
}

Precision Engine::precision() const {
    return m_impl->models.placement.precision;
}

std::string Engine::modelName() const {
    return m_impl->models.modelName;
}

} // namespace zimage
