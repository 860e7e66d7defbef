// The golden cases on a CUDA device (label gpu; skipped without CUDA). float32 must agree with the reference's CPU
// float32 outputs (golden/case_*.safetensors) within 1e-3; bf16 must produce finite, non-black images.

#include "golden_cases.h"
#include "test_harness.h"

#include <zimage/engine.h>

#include <torch/cuda.h>

#include <cmath>
#include <iostream>

using namespace zimage;

namespace {

std::unique_ptr<Engine> openOnCuda(Precision precision) {
    EngineOptions options;
    options.device = DeviceChoice::Cuda;
    options.precision = precision;
    return Engine::open(locateModel(test::fixtureDir() / "model"), options);
}

class StepRecorder : public Observer {
public:
    std::vector<float> steps;
    void onStep(const StepProgress& progress) override {
        const auto latents = progress.latents->copyLatents();
        steps.insert(steps.end(), latents.begin(), latents.end());
    }
};

} // namespace

TEST_CASE(goldenCasesInFloat32OnCuda) {
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    auto engine = openOnCuda(Precision::Fp32);
    for (auto goldenCase : test::loadGoldenCases()) {
        goldenCase.request.device = DeviceChoice::Cuda;
        StepRecorder recorder;
        CancelToken cancel;
        const auto result = engine->generate(goldenCase.request, recorder, cancel);
        std::vector<float> pixels;
        for (const auto& image : result.images)
            pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
        const double stepError =
            test::maxAbsDiff(recorder.steps, test::readFloats(*goldenCase.tensors, "step_latents"));
        const double imageError = test::maxAbsDiff(pixels, test::readFloats(*goldenCase.tensors, "image"));
        std::cout << goldenCase.name << " on cuda fp32: step latents " << stepError << ", image " << imageError << "\n";
        CHECK(stepError < 1e-3);
        CHECK(imageError < 1e-3);
    }
}

TEST_CASE(bfloat16RunsWithoutNan) {
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    auto engine = openOnCuda(Precision::Bf16);
    auto goldenCase = test::loadGoldenCases().front();
    goldenCase.request.device = DeviceChoice::Cuda;
    goldenCase.request.precision = Precision::Bf16;
    Observer quiet;
    CancelToken cancel;
    const auto result = engine->generate(goldenCase.request, quiet, cancel);
    double sum = 0;
    bool finite = true;
    for (const float value : result.images.front().pixels) {
        finite = finite && std::isfinite(value);
        sum += value;
    }
    CHECK(finite);
    CHECK(sum > 0.0); // not a black image
    const double imageError =
        test::maxAbsDiff(result.images.front().pixels, test::readFloats(*goldenCase.tensors, "image"));
    std::cout << "turbo on cuda bf16: image max abs diff " << imageError << " (loose by nature)\n";
}

TEST_CASE(memoryReturnsToTheBaselineAfterSuccessCancelAndError) {
    // Memory clearing: after every job the allocator holds exactly what it held before it (the weights and the
    // prompt cache), whatever the outcome. Expected value: the engine's own figure before the first job.
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    auto engine = openOnCuda(Precision::Bf16);
    auto request = test::loadGoldenCases().front().request;
    request.device = DeviceChoice::Cuda;
    request.precision = Precision::Auto; // the engine's (bf16); the golden cases say fp32
    Observer quiet;
    CancelToken cancel;
    engine->generate(request, quiet, cancel); // fills the prompt cache, which stays
    const auto baseline = engine->memoryStats().allocatedBytes;
    CHECK(baseline > 0);

    for (int run = 0; run < 5; ++run) {
        request.seed += 1;
        engine->generate(request, quiet, cancel);
        CHECK_EQ(engine->memoryStats().allocatedBytes, baseline);
    }

    class CancelAtStep : public Observer {
    public:
        explicit CancelAtStep(CancelToken& token)
            : m_token(token) {}
        void onStep(const StepProgress& progress) override {
            if (progress.step == 2)
                m_token.cancel();
        }

    private:
        CancelToken& m_token;
    };
    CancelAtStep cancelling(cancel);
    CHECK_THROWS_WITH(engine->generate(request, cancelling, cancel), EngineError, "cancelled");
    cancel.reset();
    CHECK_EQ(engine->memoryStats().allocatedBytes, baseline);

    auto invalid = request;
    invalid.width = 1000; // not a multiple of 16
    CHECK_THROWS_WITH(engine->generate(invalid, quiet, cancel), EngineError, "multiple of 16");
    CHECK_EQ(engine->memoryStats().allocatedBytes, baseline);
    // Cached blocks were handed back too: what is reserved is what is allocated, rounded to allocator blocks.
    CHECK(engine->memoryStats().reservedBytes < baseline + 64ull * 1024 * 1024);
}
