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
