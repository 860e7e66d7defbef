// The Z-Image DiT against the reference. Expected values: the zimage-tiny fixture's
// golden/transformer_forward.safetensors, produced by diffusers' ZImageTransformer2DModel in float32 on the CPU from
// the BF16-stored weights of model/transformer/ (see fixtures/zimage-tiny/README.md): a batch of two latents of
// different sizes (x.i, [16, 1, H', W']) with captions of 7 and 40 tokens (cap.i), times t [2], outputs out.i.
// Parameter names are checked against the checkpoint's own index file.

#include "io/model_config.h"
#include "io/tensor_collection.h"
#include "io/tensor_loader.h"
#include "models/zimage_transformer.h"
#include "nn/layers.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using zimage::io::TensorCollection;
using zimage::models::ZImageTransformer;
using zimage::test::fixtureDir;

namespace {

std::filesystem::path transformerDir() {
    return fixtureDir() / "model" / "transformer";
}

std::filesystem::path indexPath() {
    return transformerDir() / "diffusion_pytorch_model.safetensors.index.json";
}

zimage::io::TransformerConfig tinyConfig() {
    return zimage::io::readTransformerConfig(transformerDir() / "config.json");
}

ZImageTransformer loadTransformer(torch::ScalarType dtype, const torch::Device& device) {
    ZImageTransformer model(tinyConfig());
    zimage::io::loadModuleWeights(*model, TensorCollection::fromIndex(indexPath()), dtype, device);
    return model;
}

struct Golden {
    std::vector<torch::Tensor> latents;  // [16, 1, H', W']
    std::vector<torch::Tensor> captions; // [Lc, 32]
    torch::Tensor t;                     // [2]
    std::vector<torch::Tensor> outputs;  // [16, 1, H', W']
};

Golden readGolden() {
    const auto file = TensorCollection::fromFile(fixtureDir() / "golden" / "transformer_forward.safetensors");
    Golden golden;
    for (const std::string index : {"0", "1"}) {
        golden.latents.push_back(zimage::io::viewTensor(file.at("x." + index)));
        golden.captions.push_back(zimage::io::viewTensor(file.at("cap." + index)));
        golden.outputs.push_back(zimage::io::viewTensor(file.at("out." + index)));
    }
    golden.t = zimage::io::viewTensor(file.at("t"));
    return golden;
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kCPU, torch::kFloat64) - b.to(torch::kCPU, torch::kFloat64)).abs().max().item<double>();
}

// Compares outputs for the golden items `items` (in that order, as one batch) and returns the largest error.
double checkBatch(ZImageTransformer& model, const Golden& golden, const std::vector<std::size_t>& items,
                  const torch::Device& device, double tolerance, const char* label) {
    std::vector<torch::Tensor> latents, captions;
    std::vector<torch::Tensor> times;
    for (const auto item : items) {
        latents.push_back(golden.latents[item].to(device));
        captions.push_back(golden.captions[item].to(device));
        times.push_back(golden.t.slice(0, static_cast<std::int64_t>(item), static_cast<std::int64_t>(item) + 1));
    }
    const auto outputs = model->forward(latents, captions, torch::cat(times).to(device));
    REQUIRE_EQ(outputs.size(), items.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& expected = golden.outputs[items[i]];
        REQUIRE(outputs[i].sizes() == expected.sizes());
        const auto error = maxAbsDiff(outputs[i], expected);
        std::printf("  %s: out.%zu max abs error %.3g\n", label, items[i], error);
        CHECK_NEAR(error, 0.0, tolerance);
        worst = std::max(worst, error);
    }
    return worst;
}

} // namespace

TEST_CASE(parameterNamesAreTheCheckpointNames) {
    std::ifstream in(indexPath());
    const auto index = nlohmann::json::parse(in);
    std::set<std::string> expected;
    for (const auto& item : index.at("weight_map").items())
        expected.insert(item.key());

    ZImageTransformer model(tinyConfig());
    std::set<std::string> actual;
    for (const auto& item : model->named_parameters())
        actual.insert(item.key());
    CHECK(model->named_buffers().is_empty());
    for (const auto& name : expected)
        if (!actual.count(name))
            FAIL("missing parameter " + name);
    for (const auto& name : actual)
        if (!expected.count(name))
            FAIL("parameter not in the checkpoint: " + name);
    // Execution order for streaming: noise refiner, context refiner, main layers.
    CHECK_EQ(model->blocksInOrder().size(),
             static_cast<std::size_t>(tinyConfig().numLayers + 2 * tinyConfig().numRefinerLayers));
}

TEST_CASE(realModelParameterNamesAndShapes) {
    // real_model_manifest.json["transformer"]: every tensor of the real checkpoint with its shape.
    std::ifstream in(fixtureDir() / "real_model_manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    const auto& tensors = manifest.at("transformer");
    // The real config's defaults, built on the meta device: shapes without storage.
    ZImageTransformer model(zimage::io::TransformerConfig{}, torch::TensorOptions().device(torch::kMeta));
    std::size_t count = 0;
    for (const auto& item : model->named_parameters()) {
        REQUIRE(tensors.contains(item.key()));
        CHECK(item.value().sizes() == torch::IntArrayRef(tensors.at(item.key()).get<std::vector<std::int64_t>>()));
        ++count;
    }
    CHECK_EQ(count, tensors.size());
}

TEST_CASE(goldenForwardCpuFloat32) {
    torch::NoGradGuard noGrad;
    const auto golden = readGolden();
    auto model = loadTransformer(torch::kFloat32, torch::kCPU);
    const double tolerance = 1e-4;
    checkBatch(model, golden, {0, 1}, torch::kCPU, tolerance, "cpu f32 batch [0,1]");
    // The shorter item first, so batch padding masks the first item's keys instead.
    checkBatch(model, golden, {1, 0}, torch::kCPU, tolerance, "cpu f32 batch [1,0]");
    checkBatch(model, golden, {0}, torch::kCPU, tolerance, "cpu f32 alone");
    checkBatch(model, golden, {1}, torch::kCPU, tolerance, "cpu f32 alone");

    // Latents without the frame dim give the same values without it.
    const auto squeezed = model->forward({golden.latents[1].squeeze(1)}, {golden.captions[1]}, golden.t.slice(0, 1));
    REQUIRE(squeezed[0].dim() == 3);
    CHECK_NEAR(maxAbsDiff(squeezed[0], golden.outputs[1].squeeze(1)), 0.0, tolerance);

    // Wall and process CPU time (the two differ on a loaded machine).
    const auto start = std::chrono::steady_clock::now();
    const auto cpuStart = std::clock();
    constexpr int kRuns = 5;
    for (int run = 0; run < kRuns; ++run)
        model->forward(golden.latents, golden.captions, golden.t);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
    std::printf("  cpu f32: %.1f ms wall, %.1f ms cpu per forward of the golden batch (%d threads)\n",
                1000.0 * seconds / kRuns, 1000.0 * cpuSeconds / kRuns, torch::get_num_threads());
}

TEST_CASE(rejectsBadInput) {
    auto model = ZImageTransformer(tinyConfig());
    const auto latent = torch::zeros({16, 4, 4});
    const auto caption = torch::zeros({3, 32});
    CHECK_THROWS_WITH(model->forward({torch::zeros({16, 3, 4})}, {caption}, torch::zeros({1})), std::invalid_argument,
                      "multiples of 2");
    CHECK_THROWS_WITH(model->forward({latent}, {torch::zeros({3, 31})}, torch::zeros({1})), std::invalid_argument,
                      "caption");
    CHECK_THROWS_WITH(model->forward({latent}, {caption}, torch::zeros({2})), std::invalid_argument, "t must be");
    CHECK_THROWS_WITH(model->forward({latent, latent}, {caption}, torch::zeros({2})), std::invalid_argument,
                      "one caption per latent");
}

TEST_CASE(goldenForwardGpu) {
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    torch::NoGradGuard noGrad;
    const auto golden = readGolden();
    const torch::Device cuda(torch::kCUDA);
    {
        auto model = loadTransformer(torch::kFloat32, cuda);
        checkBatch(model, golden, {0, 1}, cuda, 1e-3, "cuda f32 batch");
        checkBatch(model, golden, {0}, cuda, 1e-3, "cuda f32 alone");
        checkBatch(model, golden, {1}, cuda, 1e-3, "cuda f32 alone");
    }
    // bf16: a smoke check only (the reference ran in float32): finite and in the right neighbourhood.
    auto model = loadTransformer(torch::kBFloat16, cuda);
    std::vector<torch::Tensor> latents, captions;
    for (std::size_t i = 0; i < 2; ++i) {
        latents.push_back(golden.latents[i].to(cuda));
        captions.push_back(golden.captions[i].to(cuda, torch::kBFloat16));
    }
    const auto outputs = model->forward(latents, captions, golden.t.to(cuda));
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        CHECK(outputs[i].scalar_type() == torch::kFloat32);
        CHECK(torch::isfinite(outputs[i]).all().item<bool>());
        const auto error = maxAbsDiff(outputs[i], golden.outputs[i]);
        const auto scale = golden.outputs[i].abs().max().item<double>();
        std::printf("  cuda bf16: out.%zu max abs error %.3g (output max %.3g)\n", i, error, scale);
        CHECK(error < 0.1 * scale + 0.05);
    }
}

TEST_CASE(fullSizeSpeedGpu) {
    // The real architecture (TransformerConfig defaults = real_model_manifest.json's config) with random bf16 weights
    // at 1024x1024 (a [16, 128, 128] latent: 4096 image tokens) and a 128-token caption. Opt-in: ZIMAGE_DIT_BENCH=1.
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    if (std::getenv("ZIMAGE_DIT_BENCH") == nullptr)
        SKIP("set ZIMAGE_DIT_BENCH=1 to time the full-size DiT");
    torch::NoGradGuard noGrad;
    const torch::Device cuda(torch::kCUDA);
    const auto options = torch::TensorOptions().dtype(torch::kBFloat16).device(cuda);
    ZImageTransformer model(zimage::io::TransformerConfig{}, options);
    zimage::nn::randomizeParameters(*model, 0.02, 7);
    torch::manual_seed(3);
    const auto latent = torch::randn({16, 128, 128}, options.dtype(torch::kFloat32));
    const auto caption = torch::randn({128, 2560}, options);
    const auto t = torch::full({1}, 0.5, options.dtype(torch::kFloat32));
    for (int run = 0; run < 2; ++run)
        model->forward({latent}, {caption}, t);
    torch::cuda::synchronize();
    constexpr int kRuns = 5;
    const auto start = std::chrono::steady_clock::now();
    std::vector<torch::Tensor> out;
    for (int run = 0; run < kRuns; ++run)
        out = model->forward({latent}, {caption}, t);
    torch::cuda::synchronize();
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("  cuda bf16 full size, 1024x1024 + 128 caption tokens: %.1f ms per forward\n",
                1000.0 * seconds / kRuns);
    CHECK(torch::isfinite(out[0]).all().item<bool>());
}
