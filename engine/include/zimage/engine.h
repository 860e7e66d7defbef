#pragma once
// The engine: a loaded model and the means to run it. Not thread-safe: one thread (the GUI's worker thread, or the
// CLI's main thread) owns it. Every failure leaves it through EngineError; it stays usable afterwards.

#include <zimage/errors.h>
#include <zimage/model_source.h>
#include <zimage/progress.h>
#include <zimage/request.h>
#include <zimage/result.h>

#include <filesystem>
#include <memory>

namespace zimage {

struct EngineOptions {
    DeviceChoice device = DeviceChoice::Auto; // Auto: CUDA when present, else CPU
    Precision precision = Precision::Auto;    // Auto: bf16 on CUDA, fp32 on the CPU
    int cudaDevice = 0;
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

    // Runs one request. Throws EngineError: InvalidInput (with every problem of validate()), Cancelled,
    // OutOfMemory, Device, Internal.
    GenerationResult generate(const GenerationRequest& request, Observer& observer, CancelToken& cancel);

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
