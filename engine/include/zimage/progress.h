#pragma once
// How a running generation reports back and is stopped. The observer is called on the engine's thread; a GUI
// forwards to its own thread (queued signals) and never blocks in these calls.

#include <zimage/memory.h>

#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

namespace zimage {

enum class Stage { Loading, EncodingText, Denoising, Decoding, Finished };
std::string_view stageName(Stage stage);

// The current latents, read only on request (copying them costs a device sync).
class LatentAccess {
public:
    virtual ~LatentAccess() = default;
    // [batch, channels, height / 8, width / 8]
    virtual std::vector<std::int64_t> shape() const = 0;
    // float32, row-major, the whole batch.
    virtual std::vector<float> copyLatents() const = 0;
};

struct StepProgress {
    int step = 0; // 1-based: the step just finished
    int steps = 0;
    float sigma = 0.0f;     // the noise level reached
    double stepMs = 0.0;    // this step's duration
    double elapsedMs = 0.0; // since the generation began
    const LatentAccess* latents = nullptr;
    MemoryStats memory; // at the end of the step
};

class Observer {
public:
    virtual ~Observer() = default;
    // `memory`: the figures as the stage begins (for Finished: the result's).
    virtual void onStage(Stage stage, const MemoryStats& memory) {}
    // The initial noise, before the first step (for --save-latents and reproducibility checks).
    virtual void onNoise(const LatentAccess& noise) {}
    virtual void onStep(const StepProgress& progress) {}
};

// Set from any thread; the engine checks it between steps and stages, stops with ErrorCode::Cancelled and is ready
// for the next request.
class CancelToken {
public:
    void cancel() noexcept { m_cancelled.store(true, std::memory_order_relaxed); }
    void reset() noexcept { m_cancelled.store(false, std::memory_order_relaxed); }
    bool isCancelled() const noexcept { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

} // namespace zimage
