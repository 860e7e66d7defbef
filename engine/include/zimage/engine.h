#pragma once
// The engine: a loaded model and the means to run it. Not thread-safe: one thread (the GUI's worker thread, or the
// CLI's main thread) owns it. Every failure leaves it through EngineError; it stays usable afterwards.

#include <zimage/errors.h>
#include <zimage/memory.h>
#include <zimage/memory_plan.h>
#include <zimage/model_source.h>
#include <zimage/progress.h>
#include <zimage/request.h>
#include <zimage/result.h>

#include <filesystem>
#include <memory>
#include <optional>

namespace zimage {

struct EngineOptions {
    DeviceChoice device = DeviceChoice::Auto; // Auto: CUDA when present, else CPU
    Precision precision = Precision::Auto;    // Auto: bf16 on CUDA (fp16 before Ampere), fp32 on the CPU
    int cudaDevice = 0;
    MemoryOptions memory; // the plan at load follows these too (a 1024x1024 image)
    // The JSON-lines generation log; unset: generations.jsonl in the data folder; an empty path: no log.
    std::optional<std::filesystem::path> generationLog;
};

class Engine {
public:
    // Opens and checks the model files (headers only: fast) and loads the weights to the chosen device.
    // Throws EngineError (ModelFiles with the list of problems, Device, OutOfMemory).
    static std::unique_ptr<Engine> open(const ModelSource& source, const EngineOptions& options,
                                        Observer* observer = nullptr);
    // The full-size Z-Image-Turbo architecture (configs from real_model_manifest.json) with random weights made
    // directly on the device, for benchmarks without the 20 GB download. The tokenizer is a real one.
    static std::unique_ptr<Engine> openWithRandomWeights(const std::filesystem::path& manifest,
                                                         const std::filesystem::path& tokenizerFolder,
                                                         const EngineOptions& options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs one request. Plans the memory first (MemoryOptions), retries once with a cheaper plan after running out
    // of device memory (the result then carries a warning), and always leaves the allocator at its baseline: after
    // success, cancel or error the cache is emptied and the peaks are reset. Throws EngineError: InvalidInput (with
    // every problem of validate()), Cancelled, OutOfMemory (what was needed and available), Device, Internal.
    GenerationResult generate(const GenerationRequest& request, Observer& observer, CancelToken& cancel);

    // The plan generate() would use for `request` now (the GUI shows it before the job runs).
    MemoryPlan planFor(const GenerationRequest& request);
    // Takes effect at the next generate(); throws EngineError(InvalidInput) listing the problems.
    void setMemoryOptions(const MemoryOptions& options);
    const MemoryOptions& memoryOptions() const;
    // Figures now, for this engine's device. Thread-safe (readMemoryStats).
    MemoryStats memoryStats() const;
    // Where generations are logged; empty when the log is off or could not be opened (see logProblem()).
    std::filesystem::path generationLogPath() const;
    // Why the generation log is not written ("" when it is or is off on purpose).
    std::string logProblem() const;

    // "cuda:0 (NVIDIA H200)" or "cpu"; and the precision weights are held in.
    std::string deviceName() const;
    Precision precision() const;
    // Identifies the model for metadata: the folder name and the DiT's parameter count, e.g. "Z-Image-Turbo".
    std::string modelName() const;

    struct Impl;

private:
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace zimage
