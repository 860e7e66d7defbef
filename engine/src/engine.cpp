// The public Engine: opening models (real or random), planning memory, generating with one out-of-memory retry,
// clearing memory after every job, logging every generation, and the error boundary that turns every internal
// failure into an EngineError.

#include "engine_boundary.h"
#include "generation_runner.h"
#include "io/model_files.h"
#include "model_factory.h"
#include "pipeline.h"
#include "runtime/device_support.h"
#include "runtime/generation_log.h"
#include "runtime/memory_planner.h"

#include <zimage/engine.h>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>

namespace zimage {
namespace {

void throwIfInvalid(const MemoryOptions& options) {
    const auto problems = options.validate();
    if (problems.empty())
        return;
    std::string text;
    for (const auto& problem : problems)
        text += (text.empty() ? "" : "\n") + problem;
    throw EngineError(ErrorCode::InvalidInput, text);
}

} // namespace

struct Engine::Impl {
    LoadedModels models;
    MemoryOptions memoryOptions;
    std::unique_ptr<runtime::GenerationLog> log;
    std::string logProblem;

    void openLog(const std::optional<std::filesystem::path>& path) {
        try {
            const auto file = path ? *path : runtime::defaultGenerationLogPath();
            if (!file.empty())
                log = std::make_unique<runtime::GenerationLog>(file);
        } catch (const std::exception& error) {
            // The log is a record, not a reason to refuse to generate: say so once, and with every result.
            logProblem = std::string("The generation log cannot be written: ") + error.what();
            spdlog::warn("{}", logProblem);
        }
    }

    void logRecord(runtime::GenerationRecord record, const MemoryPlan* plan) const {
        if (!log)
            return;
        if (plan) {
            record.plan = plan->summary();
            record.planDetails = runtime::planToJson(*plan);
        }
        record.device = record.device.empty() ? models.placement.deviceName : record.device;
        record.precision = precisionName(models.placement.precision);
        log->append(record);
    }
};

Engine::Engine(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::open(const ModelSource& source, const EngineOptions& options, Observer* observer) {
    throwIfInvalid(options.memory);
    return guardEngineCall(ErrorCode::ModelFiles, [&] {
        const auto start = std::chrono::steady_clock::now();
        if (observer)
            observer->onStage(Stage::Loading, readMemoryStats(options.cudaDevice));
        const auto files = io::openModelFiles(source);
        auto impl = std::make_unique<Impl>();
        impl->memoryOptions = options.memory;
        impl->models = loadModels(files, source, options);
        impl->openLog(options.generationLog);
        spdlog::info("loaded {} on {} ({}) in {:.1f} s", impl->models.modelName, impl->models.placement.deviceName,
                     precisionName(impl->models.placement.precision),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        return std::unique_ptr<Engine>(new Engine(std::move(impl)));
    });
}

std::unique_ptr<Engine> Engine::openWithRandomWeights(const std::filesystem::path& manifest,
                                                      const std::filesystem::path& tokenizerFolder,
                                                      const EngineOptions& options) {
    throwIfInvalid(options.memory);
    return guardEngineCall(ErrorCode::ModelFiles, [&] {
        auto impl = std::make_unique<Impl>();
        impl->memoryOptions = options.memory;
        impl->models = buildRandomModels(manifest, tokenizerFolder, options);
        impl->openLog(options.generationLog);
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
    MemoryPlan plan;
    auto record = runtime::generationRecordOf(request);
    try {
        auto result = generateWithRecovery(models, request, m_impl->memoryOptions, observer, cancel, plan);
        clearDeviceMemory(models);
        if (!m_impl->logProblem.empty())
            result.warnings.push_back(m_impl->logProblem);
        m_impl->logRecord(runtime::generationRecordOf(result), &result.plan);
        return result;
    } catch (const EngineError& error) {
        // Whatever failed, the next request starts from a clean allocator.
        clearDeviceMemory(models);
        record.outcome = error.code() == ErrorCode::Cancelled ? runtime::GenerationOutcome::Cancelled
                                                              : runtime::GenerationOutcome::Error;
        record.error = error.code() == ErrorCode::Cancelled ? "" : error.what();
        m_impl->logRecord(std::move(record), plan.budgetBytes ? &plan : nullptr);
        throw;
    }
}

MemoryPlan Engine::planFor(const GenerationRequest& request) {
    return guardEngineCall(ErrorCode::Internal, [&] {
        return runtime::planMemory(plannerInputFor(m_impl->models, request, m_impl->memoryOptions));
    });
}

void Engine::setMemoryOptions(const MemoryOptions& options) {
    throwIfInvalid(options);
    runtime::capDeviceMemory(m_impl->models.cudaDevice, options.memoryFraction);
    m_impl->memoryOptions = options;
}

const MemoryOptions& Engine::memoryOptions() const {
    return m_impl->memoryOptions;
}

MemoryStats Engine::memoryStats() const {
    return readMemoryStats(m_impl->models.cudaDevice);
}

std::filesystem::path Engine::generationLogPath() const {
    return m_impl->log ? m_impl->log->path() : std::filesystem::path();
}

std::string Engine::logProblem() const {
    return m_impl->logProblem;
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
