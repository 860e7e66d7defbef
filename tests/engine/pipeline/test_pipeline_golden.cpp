// The whole pipeline against the reference: every case of golden/cases.json (turbo, 9 steps, CFG with a negative
// prompt, CFG normalization + truncation, a batch of two prompts of different lengths, truncation at 32 tokens) run
// through Engine::generate on the CPU in float32 with the case's seeds. Expected: golden/case_*.safetensors from the
// diffusers ZImagePipeline; tolerances from the fixture README (1e-4 on latents, 2e-3 on the image).

#include "../io/model_test_support.h"
#include "golden_cases.h"
#include "test_harness.h"

#include <zimage/engine.h>

#include <iostream>

using namespace zimage;

namespace {

class Recorder : public Observer {
public:
    std::vector<float> noise;
    std::vector<float> steps; // concatenated
    std::vector<Stage> stages;
    void onStage(Stage stage, const MemoryStats&) override { stages.push_back(stage); }
    void onNoise(const LatentAccess& latents) override { noise = latents.copyLatents(); }
    void onStep(const StepProgress& progress) override {
        const auto latents = progress.latents->copyLatents();
        steps.insert(steps.end(), latents.begin(), latents.end());
    }
};

std::unique_ptr<Engine> openFixture() {
    EngineOptions options;
    options.device = DeviceChoice::Cpu;
    options.precision = Precision::Fp32;
    return Engine::open(locateModel(test::fixtureDir() / "model"), options);
}

void checkCase(Engine& engine, const test::GoldenCase& goldenCase) {
    Recorder recorder;
    CancelToken cancel;
    const auto result = engine.generate(goldenCase.request, recorder, cancel);
    const auto& golden = *goldenCase.tensors;
    const double noiseError = test::maxAbsDiff(recorder.noise, test::readFloats(golden, "noise"));
    const double stepError = test::maxAbsDiff(recorder.steps, test::readFloats(golden, "step_latents"));
    std::vector<float> pixels;
    for (const auto& image : result.images)
        pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
    const double imageError = test::maxAbsDiff(pixels, test::readFloats(golden, "image"));
    std::cout << goldenCase.name << ": noise " << noiseError << ", step latents " << stepError << ", image "
              << imageError << "\n";
    CHECK_EQ(noiseError, 0.0);
    CHECK(stepError < 1e-4);
    CHECK(imageError < 2e-3);
    CHECK_EQ(result.images.size(), goldenCase.request.prompts.size());
}

} // namespace

TEST_CASE(everyGoldenCaseMatchesTheReference) {
    auto engine = openFixture();
    for (const auto& goldenCase : test::loadGoldenCases())
        checkCase(*engine, goldenCase);
}

TEST_CASE(rerollingSeedsSkipsTheTextEncoder) {
    auto engine = openFixture();
    GenerationRequest request;
    request.prompts = {"a lighthouse at dusk"};
    request.width = request.height = 64;
    request.steps = 2;
    Observer quiet;
    CancelToken cancel;
    const auto first = engine->generate(request, quiet, cancel);
    CHECK(!first.textEmbeddingsCached);
    request.seed = 1;
    const auto second = engine->generate(request, quiet, cancel);
    CHECK(second.textEmbeddingsCached);
    CHECK_EQ(second.timings.textEncoderMs, 0.0);
    CHECK(first.images[0].rgb != second.images[0].rgb);
}

TEST_CASE(invalidRequestListsEveryProblem) {
    auto engine = openFixture();
    GenerationRequest request;
    request.prompts = {"x"};
    request.width = 1000;
    request.steps = 0;
    Observer quiet;
    CancelToken cancel;
    try {
        engine->generate(request, quiet, cancel);
        FAIL("an invalid request was accepted");
    } catch (const EngineError& error) {
        CHECK(error.code() == ErrorCode::InvalidInput);
        const std::string message = error.what();
        CHECK(message.find("Width 1000") != std::string::npos);
        CHECK(message.find("Steps") != std::string::npos);
    }
}

TEST_CASE(cancelStopsBetweenStepsAndEngineStaysUsable) {
    auto engine = openFixture();
    GenerationRequest request;
    request.prompts = {"a cat"};
    request.width = request.height = 64;
    request.steps = 6;
    CancelToken cancel;
    struct CancelAfterTwo : Observer {
        CancelToken* token = nullptr;
        int steps = 0;
        void onStep(const StepProgress&) override {
            if (++steps == 2)
                token->cancel();
        }
    } observer;
    observer.token = &cancel;
    try {
        engine->generate(request, observer, cancel);
        FAIL("the cancelled generation finished");
    } catch (const EngineError& error) {
        CHECK(error.code() == ErrorCode::Cancelled);
    }
    CHECK_EQ(observer.steps, 2);
    cancel.reset();
    Observer quiet;
    CHECK_EQ(engine->generate(request, quiet, cancel).images.size(), 1u);
}

TEST_CASE(comfyFilesGiveTheSameImages) {
    // The same weights in ComfyUI's layout (fused qkv, LDM VAE names, one text-encoder file) must reproduce the
    // golden turbo case exactly as the diffusers folder does.
    const auto install = test::tempDir("pipeline_comfy");
    test::makeComfyInstall(install, /*bundledTokenizer=*/false);
    ModelOverrides overrides;
    overrides.tokenizer = test::fixtureDir() / "model" / "tokenizer";
    EngineOptions options;
    options.device = DeviceChoice::Cpu;
    options.precision = Precision::Fp32;
    auto engine = Engine::open(locateModel(install, overrides), options);
    const auto cases = test::loadGoldenCases();
    checkCase(*engine, cases.front());
}
