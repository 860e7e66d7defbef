#include "generation_runner.h"

#include "engine_boundary.h"
#include "runtime/device_memory.h"
#include "runtime/memory_planner.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

namespace zimage {
namespace {

EngineError outOfMemory(const LoadedModels& models, const MemoryPlan& plan, std::uint64_t budget) {
    const auto stats = runtime::readMemory(models.cudaDevice);
    const bool onDevice = models.placement.device.is_cuda();
    const auto available = onDevice ? stats.deviceFreeBytes + stats.reservedBytes : stats.hostAvailableBytes;
    return EngineError(ErrorCode::OutOfMemory,
                       "Out of " + std::string(onDevice ? "device" : "host") + " memory: this generation needs about " +
                           runtime::formatGiB(plan.estimatedPeakBytes) + " with " + plan.summary() + "; " +
                           runtime::formatGiB(available) + " is available (budget " + runtime::formatGiB(budget) + ").",
                       "Use a smaller image or batch, close other programs that use the " +
                           std::string(onDevice ? "GPU, or run on the CPU." : "memory."));
}

} // namespace

runtime::ModelShapes modelShapes(const LoadedModels& models) {
    return {models.textEncoderConfig, models.transformerConfig, models.vaeConfig,
            c10::elementSize(models.placement.dtype)};
}

runtime::PlannerInput plannerInputFor(const LoadedModels& models, const GenerationRequest& request,
                                      const MemoryOptions& options) {
    const bool onDevice = models.placement.device.is_cuda();
    const auto budget = runtime::memoryBudgetBytes(options, onDevice, models.cudaDevice);
    return runtime::plannerInput(models.residency->footprint(), modelShapes(models), request, options, budget,
                                 onDevice);
}

void clearDeviceMemory(const LoadedModels& models) {
    runtime::releaseCachedMemory(models.cudaDevice);
    runtime::resetPeakMemory(models.cudaDevice);
}

GenerationResult generateWithRecovery(LoadedModels& models, const GenerationRequest& request,
                                      const MemoryOptions& options, Observer& observer, CancelToken& cancel,
                                      MemoryPlan& plan) {
    const auto input = plannerInputFor(models, request, options);
    plan = runtime::planMemory(input);
    spdlog::info("memory plan: {}", plan.summary());
    for (const auto& reason : plan.reasons)
        spdlog::info("  {}", reason);
    std::vector<std::string> warnings;
    for (int attempt = 1;; ++attempt) {
        try {
            auto result = guardEngineCall(ErrorCode::Internal, [&] {
                models.residency->apply(plan);
                runtime::resetPeakMemory(models.cudaDevice);
                return runGeneration(models, request, plan, observer, cancel);
            });
            result.attempts = attempt;
            result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end());
            return result;
        } catch (const EngineError& error) {
            if (error.code() != ErrorCode::OutOfMemory)
                throw;
            spdlog::warn("out of memory with {}: {}", plan.summary(), error.what());
            // Everything of the failed attempt is out of scope by now: give its memory back before planning again.
            clearDeviceMemory(models);
            const auto cheaper = attempt == 1 ? runtime::cheaperPlan(input, plan) : std::nullopt;
            if (!cheaper)
                throw outOfMemory(models, plan, input.budgetBytes);
            warnings.push_back("Ran out of memory with " + plan.summary() + "; retried with " + cheaper->summary() +
                               ".");
            plan = *cheaper;
            spdlog::warn("retrying with {}", plan.summary());
        }
    }
}

} // namespace zimage
