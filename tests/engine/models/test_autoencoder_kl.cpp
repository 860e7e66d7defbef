// AutoencoderKL against the reference. Expected values come from the zimage-tiny fixture
// (fixtures/zimage-tiny/README.md): golden/vae.safetensors was written by diffusers' AutoencoderKL in float32 on the
// CPU with model/vae's weights (`z` -> `decoded`, the raw decoder output; `image` -> `encoded_mean`,
// `encoded_logvar`, the latent distribution's mean and logvar); golden/case_turbo.safetensors by the whole diffusers
// ZImagePipeline (`step_latents[-1]` is what its VAE decoded into `image`). Parameter names and shapes are checked
// against the fixture checkpoint and against real_model_manifest.json (the real Z-Image-Turbo VAE).

#include "io/model_config.h"
#include "io/name_mapping.h"
#include "io/tensor_collection.h"
#include "io/tensor_loader.h"
#include "models/autoencoder_kl.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using zimage::models::AutoencoderKL;

namespace {

namespace io = zimage::io;
namespace models = zimage::models;

std::filesystem::path vaeDir() {
    return zimage::test::fixtureDir() / "model" / "vae";
}

io::VaeConfig tinyConfig() {
    return io::readVaeConfig(vaeDir() / "config.json");
}

AutoencoderKL loadTinyVae(torch::ScalarType type = torch::kFloat32, const torch::Device& device = torch::kCPU,
                          bool withEncoder = true) {
    AutoencoderKL vae(tinyConfig(), withEncoder, torch::TensorOptions().dtype(type).device(device));
    const auto weights = io::TensorCollection::fromFile(vaeDir() / "diffusion_pytorch_model.safetensors");
    io::loadModuleWeights(*vae, weights, type, device);
    vae->eval();
    return vae;
}

// One golden tensor as a float32 CPU copy.
torch::Tensor golden(const std::string& file, const std::string& name) {
    const auto tensors = io::TensorCollection::fromFile(zimage::test::fixtureDir() / "golden" / file);
    return io::viewTensor(tensors.at(name)).to(torch::kFloat32).clone();
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    REQUIRE_EQ(a.sizes().vec(), b.sizes().vec());
    return (a.to(torch::kCPU, torch::kFloat64) - b.to(torch::kCPU, torch::kFloat64)).abs().max().item<double>();
}

void report(const char* what, double error) {
    std::printf("  %s: max abs error %.3g\n", what, error);
}

std::map<std::string, std::vector<std::int64_t>> parameterShapes(torch::nn::Module& module) {
    std::map<std::string, std::vector<std::int64_t>> shapes;
    for (const auto& item : module.named_parameters())
        shapes[item.key()] = item.value().sizes().vec();
    return shapes;
}

// Turns TF32 off for cuDNN and cuBLAS while it lives.
class NoTf32 {
public:
    NoTf32()
        : m_cudnn(at::globalContext().allowTF32CuDNN())
        , m_cublas(at::globalContext().allowTF32CuBLAS()) {
        at::globalContext().setAllowTF32CuDNN(false);
        at::globalContext().setAllowTF32CuBLAS(false);
    }
    ~NoTf32() {
        at::globalContext().setAllowTF32CuDNN(m_cudnn);
        at::globalContext().setAllowTF32CuBLAS(m_cublas);
    }
    NoTf32(const NoTf32&) = delete;
    NoTf32& operator=(const NoTf32&) = delete;

private:
    bool m_cudnn;
    bool m_cublas;
};

} // namespace

TEST_CASE(parameterNamesAreTheFixtureCheckpointNames) {
    AutoencoderKL vae(tinyConfig());
    const auto weights = io::TensorCollection::fromFile(vaeDir() / "diffusion_pytorch_model.safetensors");
    std::map<std::string, std::vector<std::int64_t>> expected;
    for (const auto& [name, ref] : weights)
        expected[name] = ref.shape;
    CHECK_EQ(parameterShapes(*vae).size(), expected.size());
    for (const auto& [name, shape] : parameterShapes(*vae)) {
        const auto found = expected.find(name);
        if (found == expected.end())
            FAIL("parameter not in the checkpoint: " + name);
        CHECK_EQ(shape, found->second);
    }
}

TEST_CASE(parameterNamesAreTheRealModelNames) {
    // The full-size VAE, built uninitialised (no memory is touched), against the real checkpoint's names and shapes.
    std::ifstream file(zimage::test::fixtureDir() / "real_model_manifest.json");
    const auto manifest = nlohmann::json::parse(file);
    AutoencoderKL vae(io::VaeConfig::fromJson(manifest.at("configs").at("vae")));
    std::map<std::string, std::vector<std::int64_t>> expected;
    for (const auto& [name, shape] : manifest.at("vae").items())
        expected[name] = shape.get<std::vector<std::int64_t>>();
    CHECK(parameterShapes(*vae) == expected);

    AutoencoderKL decoderOnly(io::VaeConfig::fromJson(manifest.at("configs").at("vae")), /*withEncoder=*/false);
    std::size_t decoderTensors = 0;
    for (const auto& [name, shape] : expected)
        decoderTensors += name.rfind("decoder.", 0) == 0 ? 1 : 0;
    CHECK_EQ(parameterShapes(*decoderOnly).size(), decoderTensors);
    CHECK(!decoderOnly->hasEncoder());
}

TEST_CASE(decodeMatchesDiffusers) {
    auto vae = loadTinyVae();
    const auto decoded = vae->decode(golden("vae.safetensors", "z")); // [1, 3, 96, 128]
    const auto error = maxAbsDiff(decoded, golden("vae.safetensors", "decoded"));
    report("decode", error);
    CHECK(error < 1e-4);
}

TEST_CASE(encodeMatchesDiffusers) {
    auto vae = loadTinyVae();
    const auto [mean, logvar] = vae->encode(golden("vae.safetensors", "image")); // each [1, 16, 12, 16]
    const auto meanError = maxAbsDiff(mean, golden("vae.safetensors", "encoded_mean"));
    const auto logvarError = maxAbsDiff(logvar, golden("vae.safetensors", "encoded_logvar"));
    report("encode mean", meanError);
    report("encode logvar", logvarError);
    CHECK(meanError < 1e-4);
    CHECK(logvarError < 1e-4);
}

TEST_CASE(decodesThePipelineImage) {
    // The reference pipeline: image = clamp((decode(latents / scaling + shift) + 1) / 2, 0, 1).
    auto vae = loadTinyVae();
    const auto latents = golden("case_turbo.safetensors", "step_latents")[-1]; // [1, 16, 12, 16]
    const auto image = models::decoderOutputToImage(vae->decode(models::unscaleLatents(latents, vae->config())));
    const auto error = maxAbsDiff(image, golden("case_turbo.safetensors", "image"));
    report("pipeline image", error);
    CHECK(error < 2e-3);
}

TEST_CASE(decoderStagesComposeToDecode) {
    // Tiled / streamed decoding runs the stages one by one; that must be exactly decode().
    auto vae = loadTinyVae();
    const auto z = golden("vae.safetensors", "z");
    torch::NoGradGuard noGrad;
    auto& decoder = vae->decoder();
    auto x = decoder->midBlock(decoder->convIn(z));
    for (std::int64_t i = 0; i < decoder->numUpBlocks(); ++i)
        x = decoder->upBlock(i, x);
    CHECK(torch::equal(decoder->convOut(x), vae->decode(z)));
    CHECK_EQ(vae->downscaleFactor(), 8);
}

TEST_CASE(ldmCheckpointDecodesTheSame) {
    // comfy/ae_tiny.safetensors holds the same weights in LDM names (1x1-conv attention weights); io maps them.
    const auto ldmPath = zimage::test::fixtureDir() / "comfy" / "ae_tiny.safetensors";
    if (!std::filesystem::exists(ldmPath))
        SKIP("this copy of the fixture has no comfy/ folder (the GPU machine's has none)");
    AutoencoderKL vae(tinyConfig());
    const auto ldm = io::TensorCollection::fromFile(ldmPath);
    io::loadModuleWeights(*vae, io::toDiffusersVae(ldm), torch::kFloat32, torch::kCPU);
    const auto error = maxAbsDiff(vae->decode(golden("vae.safetensors", "z")), golden("vae.safetensors", "decoded"));
    report("decode from LDM names", error);
    CHECK(error < 1e-4);
}

TEST_CASE(scalingRoundTripsAndImageIsClamped) {
    const auto config = tinyConfig();
    const auto latents = torch::randn({2, 16, 4, 4});
    CHECK(torch::allclose(models::scaleLatents(models::unscaleLatents(latents, config), config), latents, 1e-5, 1e-6));
    CHECK_NEAR(models::unscaleLatents(torch::ones({1}), config).item<double>(), 1.0 / 0.3611 + 0.1159, 1e-6);
    const auto image = models::decoderOutputToImage(torch::tensor({-2.0f, -1.0f, 0.0f, 1.0f, 3.0f}));
    CHECK(torch::equal(image, torch::tensor({0.0f, 0.0f, 0.5f, 1.0f, 1.0f})));
}

TEST_CASE(rejectsBadInput) {
    auto vae = loadTinyVae(torch::kFloat32, torch::kCPU, /*withEncoder=*/false);
    CHECK_THROWS_WITH(vae->encode(torch::zeros({1, 3, 64, 64})), std::logic_error, "without the encoder");
    CHECK_THROWS_WITH(vae->decode(torch::zeros({1, 4, 8, 8})), c10::Error, "expected latents");
    auto config = tinyConfig();
    config.normNumGroups = 5;
    CHECK_THROWS_WITH(AutoencoderKL(config), std::invalid_argument, "norm_num_groups");
}

TEST_CASE(decodeTimeOf64x64Latents) {
    // Not a check: the CPU time of a 512x512 decode on the tiny fixture, for the report.
    auto vae = loadTinyVae(torch::kFloat32, torch::kCPU, /*withEncoder=*/false);
    torch::manual_seed(0);
    const auto z = torch::randn({1, 16, 64, 64});
    vae->decode(z.slice(2, 0, 8).slice(3, 0, 8)); // warm-up
    const auto start = std::chrono::steady_clock::now();
    const auto cpuStart = std::clock();
    const auto decoded = vae->decode(z);
    const double cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("  64x64-latent decode (tiny VAE, CPU float32, %d threads): %.3f s CPU time, %.3f s wall\n",
                torch::get_num_threads(), cpuSeconds, seconds);
    CHECK_EQ(decoded.sizes().vec(), (std::vector<std::int64_t>{1, 3, 512, 512}));
    CHECK(decoded.isfinite().all().item<bool>());
}

TEST_CASE(cudaMatchesDiffusers) {
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    const torch::Device cuda(torch::kCUDA);
    {
        // LibTorch lets cuDNN convolutions use TF32 by default (about 4e-3 off here); the float32 comparison is
        // about the port, so it runs in true float32.
        const NoTf32 noTf32;
        auto vae = loadTinyVae(torch::kFloat32, cuda);
        const auto decoded = vae->decode(golden("vae.safetensors", "z").to(cuda));
        const auto decodeError = maxAbsDiff(decoded, golden("vae.safetensors", "decoded"));
        const auto [mean, logvar] = vae->encode(golden("vae.safetensors", "image").to(cuda));
        const auto meanError = maxAbsDiff(mean, golden("vae.safetensors", "encoded_mean"));
        const auto logvarError = maxAbsDiff(logvar, golden("vae.safetensors", "encoded_logvar"));
        report("cuda float32 decode", decodeError);
        report("cuda float32 encode mean", meanError);
        report("cuda float32 encode logvar", logvarError);
        CHECK(decodeError < 1e-3);
        CHECK(meanError < 1e-3);
        CHECK(logvarError < 1e-3);
    }
    {
        // bfloat16 is a smoke check (README: BF16 agrees loosely): finite, right shape, roughly the same picture.
        auto vae = loadTinyVae(torch::kBFloat16, cuda);
        const auto decoded = vae->decode(golden("vae.safetensors", "z")); // float32 CPU input is converted
        CHECK(decoded.scalar_type() == torch::kBFloat16);
        CHECK(decoded.isfinite().all().item<bool>());
        const auto error = maxAbsDiff(decoded, golden("vae.safetensors", "decoded"));
        report("cuda bfloat16 decode", error);
        CHECK(error < 0.25);
        const auto [mean, logvar] = vae->encode(golden("vae.safetensors", "image"));
        CHECK(mean.isfinite().all().item<bool>() && logvar.isfinite().all().item<bool>());
    }
}
