// What a generation does when something goes wrong, on the CPU with the tiny fixture model: out of memory (retried
// once with a cheaper plan, then a clear error), NaN in the decoded image (decoded again in float32), NaN in the
// latents (stopped with a clear error). Faults are injected through LoadedModels::faultInjector, at the points a real
// failure would surface. Expected values: the same request run without a fault on the same engine.

#include "engine_boundary.h"
#include "generation_runner.h"
#include "io/model_files.h"
#include "model_factory.h"
#include "test_harness.h"

#include <zimage/engine.h>
#include <zimage/model_source.h>

#include <c10/util/Exception.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

using namespace zimage;

namespace {

LoadedModels loadFixture() {
    const auto source = locateModel(test::fixtureDir() / "model");
    const auto files = io::openModelFiles(source);
    EngineOptions options;
    options.device = DeviceChoice::Cpu;
    options.precision = Precision::Fp32;
    return loadModels(files, source, options);
}

// Wider than the smallest VAE tile (256 px), so that a cheaper plan (a tiled decode) exists on the CPU too.
GenerationRequest request() {
    GenerationRequest request;
    request.prompts = {"a red fox in fresh snow"};
    request.seed = 11;
    request.steps = 1;
    request.width = 320;
    request.height = 256;
    return request;
}

GenerationResult run(LoadedModels& models, MemoryPlan& plan) {
    Observer observer;
    CancelToken cancel;
    return generateWithRecovery(models, request(), MemoryOptions{}, observer, cancel, plan);
}

double psnr(const std::vector<float>& a, const std::vector<float>& b) {
    double squared = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        squared += (a[i] - b[i]) * (a[i] - b[i]);
    const double mse = squared / static_cast<double>(a.size());
    return mse == 0.0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(1.0 / mse);
}

double maxDiff(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
    return worst;
}

bool mentions(const std::vector<std::string>& texts, const std::string& needle) {
    for (const auto& text : texts)
        if (text.find(needle) != std::string::npos)
            return true;
    return false;
}

void throwTorchOutOfMemory() {
    // What the CUDA caching allocator throws (c10::OutOfMemoryError), with its message.
    TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory. Tried to allocate 2.00 GiB");
}

} // namespace

TEST_CASE(outOfMemoryIsRetriedOnceWithACheaperPlan) {
    auto models = loadFixture();
    MemoryPlan plan;
    const auto baseline = run(models, plan);
    CHECK_EQ(baseline.attempts, 1);
    CHECK(!plan.vaeTiled);

    int failures = 0;
    models.faultInjector = [&](FaultPoint point, torch::Tensor&) {
        if (point == FaultPoint::StepDone && failures++ == 0)
            throwTorchOutOfMemory();
    };
    const auto result = run(models, plan);
    CHECK_EQ(result.attempts, 2);
    CHECK(mentions(result.warnings, "Ran out of memory"));
    // On the CPU the weights have nowhere cheaper to go: the retry tiles the decode.
    CHECK(plan.vaeTiled);
    CHECK(plan.estimatedPeakBytes < baseline.plan.estimatedPeakBytes);
    REQUIRE(result.images.size() == 1);
    // Same latents; the tiled decode differs from the untiled one only near the tile overlap.
    const double quality = psnr(result.images[0].pixels, baseline.images[0].pixels);
    std::printf("  tiled retry vs untiled: PSNR %.1f dB\n", quality);
    CHECK(quality > 30.0);
}

TEST_CASE(outOfMemoryTwiceSaysWhatWasNeededAndTheEngineStaysUsable) {
    auto models = loadFixture();
    MemoryPlan plan;
    const auto baseline = run(models, plan);
    models.faultInjector = [](FaultPoint point, torch::Tensor&) {
        if (point == FaultPoint::TextEncoded)
            throwTorchOutOfMemory();
    };
    try {
        run(models, plan);
        FAIL("expected an out-of-memory error");
    } catch (const EngineError& error) {
        CHECK(error.code() == ErrorCode::OutOfMemory);
        const std::string message = error.what();
        CHECK(message.find("needs about") != std::string::npos);
        CHECK(message.find("available") != std::string::npos);
        CHECK(!error.hint().empty());
    }
    models.faultInjector = nullptr;
    const auto again = run(models, plan);
    REQUIRE(again.images.size() == 1);
    CHECK_EQ(maxDiff(again.images[0].pixels, baseline.images[0].pixels), 0.0);
}

TEST_CASE(aNonFiniteImageIsDecodedAgainInFloat32) {
    auto models = loadFixture();
    MemoryPlan plan;
    const auto baseline = run(models, plan);
    int decodes = 0;
    models.faultInjector = [&](FaultPoint point, torch::Tensor& tensor) {
        if (point == FaultPoint::Decoded && decodes++ == 0)
            tensor = tensor.clone().index_fill_(2, torch::tensor({5}), std::numeric_limits<float>::quiet_NaN());
    };
    const auto result = run(models, plan);
    CHECK(mentions(result.warnings, "decoded again in fp32"));
    REQUIRE(result.images.size() == 1);
    // The engine runs in fp32 here, so the float32 decode repeats the same computation.
    CHECK(maxDiff(result.images[0].pixels, baseline.images[0].pixels) < 1e-6);
}

TEST_CASE(nonFiniteLatentsStopWithAClearError) {
    auto models = loadFixture();
    models.faultInjector = [](FaultPoint point, torch::Tensor& tensor) {
        if (point == FaultPoint::StepDone)
            tensor = tensor * std::numeric_limits<float>::infinity();
    };
    MemoryPlan plan;
    try {
        run(models, plan);
        FAIL("expected the NaN guard to stop the generation");
    } catch (const EngineError& error) {
        CHECK(error.code() == ErrorCode::Internal);
        CHECK(std::string(error.what()).find("NaN/Inf at step 1") != std::string::npos);
    }
}
