// The Qwen3 text encoder against the reference. Expected values: the zimage-tiny fixture's goldens, produced by
// transformers' Qwen3Model (output_hidden_states) and diffusers' ZImagePipeline (prompt_embeds = hidden_states[-2])
// in float32 on the CPU from the BF16-stored weights of model/text_encoder/ (see fixtures/zimage-tiny/README.md).
// The case files carry no ids for the negative prompts: those come from the project tokenizer (checked on the
// positive prompts first).

#include "io/model_config.h"
#include "io/tensor_collection.h"
#include "io/tensor_loader.h"
#include "models/qwen3_text_encoder.h"
#include "nn/rms_norm.h"
#include "test_harness.h"
#include "text/tokenizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

using zimage::io::TensorCollection;
using zimage::models::Qwen3TextEncoder;
using zimage::test::fixtureDir;

namespace {

std::filesystem::path textEncoderDir() {
    return fixtureDir() / "model" / "text_encoder";
}

zimage::io::TextEncoderConfig tinyConfig() {
    return zimage::io::readTextEncoderConfig(textEncoderDir() / "config.json");
}

Qwen3TextEncoder loadEncoder(bool fullDepth, torch::ScalarType dtype, const torch::Device& device) {
    Qwen3TextEncoder encoder(tinyConfig(), fullDepth);
    const auto weights = TensorCollection::fromIndex(textEncoderDir() / "model.safetensors.index.json");
    zimage::io::loadModuleWeights(*encoder, weights, dtype, device);
    return encoder;
}

torch::Tensor golden(const TensorCollection& file, const std::string& name) {
    return zimage::io::viewTensor(file.at(name));
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.detach().to(torch::kCPU, torch::kFloat64) - b.to(torch::kCPU, torch::kFloat64))
        .abs()
        .max()
        .item<double>();
}

struct Measured {
    double maxError = 0.0;
    int compared = 0;
};

// Every hidden state of golden/text_encoder.safetensors, and forward() against hidden_states[-2].
Measured checkHiddenStates(torch::ScalarType dtype, const torch::Device& device, double tolerance) {
    const auto file = TensorCollection::fromFile(fixtureDir() / "golden" / "text_encoder.safetensors");
    const auto config = tinyConfig();
    auto full = loadEncoder(/*fullDepth=*/true, dtype, device);
    auto partial = loadEncoder(/*fullDepth=*/false, dtype, device);
    const auto ids = golden(file, "input_ids"); // [1, L]

    const auto states = full->forwardAllHiddenStates(ids);
    REQUIRE_EQ(states.size(), static_cast<std::size_t>(config.numLayers + 1));
    REQUIRE(!file.contains("hidden_states." + std::to_string(states.size()))); // the golden has as many as we do
    Measured measured;
    for (std::size_t i = 0; i < states.size(); ++i) {
        const auto expected = golden(file, "hidden_states." + std::to_string(i)); // [1, L, hidden]
        REQUIRE(states[i].sizes() == expected.sizes());
        const auto error = maxAbsDiff(states[i], expected);
        std::printf("  hidden_states.%zu (%s, %s): max abs error %.3g\n", i, c10::toString(dtype), device.str().c_str(),
                    error);
        CHECK_NEAR(error, 0.0, tolerance);
        measured.maxError = std::max(measured.maxError, error);
        ++measured.compared;
    }
    // hidden_states has numLayers + 1 entries; [-2] is index numLayers - 1.
    const auto expected = golden(file, "hidden_states." + std::to_string(config.numLayers - 1));
    for (auto* encoder : {&full, &partial}) {
        const auto out = (*encoder)->forward(ids);
        REQUIRE(out.sizes() == expected.sizes());
        const auto error = maxAbsDiff(out, expected);
        std::printf("  forward (fullDepth %d) vs hidden_states.%lld: max abs error %.3g\n",
                    static_cast<int>((*encoder)->fullDepth()), static_cast<long long>(config.numLayers - 1), error);
        CHECK_NEAR(error, 0.0, tolerance);
    }
    return measured;
}

// The ids of a case's negative prompt: the file's `negative_input_ids.<i>` when it has them, else the project's
// tokenizer on cases.json's negative_prompt (after checking that it reproduces the case's positive ids, so that a
// tokenizer difference cannot pass for an encoder one).
torch::Tensor negativeIds(const TensorCollection& file, const nlohmann::json& testCase, int index) {
    if (file.contains("negative_input_ids." + std::to_string(index)))
        return golden(file, "negative_input_ids." + std::to_string(index));
    static const auto tokenizer = zimage::text::Tokenizer::fromFolder(fixtureDir() / "model" / "tokenizer");
    const auto maxLength = testCase.at("max_sequence_length").get<std::size_t>();
    auto idsOf = [&](const std::string& prompt) {
        const auto tokens = zimage::text::tokenizePrompt(tokenizer, prompt, /*chat=*/true, maxLength).ids;
        return torch::tensor(std::vector<std::int64_t>(tokens.begin(), tokens.end()), torch::kLong);
    };
    const auto positive = idsOf(testCase.at("prompts").at(index).get<std::string>());
    REQUIRE(torch::equal(positive, golden(file, "input_ids." + std::to_string(index))));
    return idsOf(testCase.at("negative_prompt").get<std::string>());
}

// prompt_embeds.<i> and negative_embeds.<i> of every pipeline case.
Measured checkPipelineCases(torch::ScalarType dtype, const torch::Device& device, double tolerance) {
    auto encoder = loadEncoder(/*fullDepth=*/false, dtype, device);
    std::ifstream casesFile(fixtureDir() / "golden" / "cases.json");
    REQUIRE(casesFile.good());
    const auto cases = nlohmann::json::parse(casesFile);
    Measured measured;
    auto check = [&](const std::string& label, const torch::Tensor& ids, const torch::Tensor& expected) {
        const auto out = encoder->forward(ids.unsqueeze(0)).squeeze(0); // [L] -> [L, hidden]
        REQUIRE(out.sizes() == expected.sizes());
        const auto error = maxAbsDiff(out, expected);
        std::printf("  %s (L=%lld): max abs error %.3g\n", label.c_str(), static_cast<long long>(ids.size(0)), error);
        CHECK_NEAR(error, 0.0, tolerance);
        measured.maxError = std::max(measured.maxError, error);
        ++measured.compared;
    };
    for (const auto& testCase : cases.at("cases")) {
        const auto name = testCase.at("name").get<std::string>();
        const auto file = TensorCollection::fromFile(fixtureDir() / "golden" / ("case_" + name + ".safetensors"));
        for (int i = 0; file.contains("prompt_embeds." + std::to_string(i)); ++i) {
            const auto suffix = std::to_string(i);
            check(name + ": prompt_embeds." + suffix, golden(file, "input_ids." + suffix),
                  golden(file, "prompt_embeds." + suffix));
            if (file.contains("negative_embeds." + suffix))
                check(name + ": negative_embeds." + suffix, negativeIds(file, testCase, i),
                      golden(file, "negative_embeds." + suffix));
        }
    }
    CHECK_EQ(measured.compared, 9); // 6 cases, one with two prompts, two with a negative prompt
    return measured;
}

std::set<std::string> parameterNames(torch::nn::Module& module) {
    std::set<std::string> names;
    for (const auto& item : module.named_parameters())
        names.insert(item.key());
    return names;
}

} // namespace

TEST_CASE(rmsNormMatchesQwen3Order) {
    torch::manual_seed(3);
    const auto x = torch::randn({2, 5, 8}, torch::kBFloat16);
    const auto weight = torch::randn({8}, torch::kBFloat16);
    // Qwen3RMSNorm: normalise in float32, cast back to bf16, then multiply by the weight (in bf16).
    const auto x32 = x.to(torch::kFloat32);
    const auto expected = weight * (x32 * torch::rsqrt(x32.pow(2).mean(-1, true) + 1e-6)).to(torch::kBFloat16);
    const auto out = zimage::nn::rmsNorm(x, weight, 1e-6);
    CHECK(out.scalar_type() == torch::kBFloat16);
    CHECK(torch::equal(out, expected));

    zimage::nn::RMSNorm norm(8, 1e-6);
    CHECK(norm->named_parameters().contains("weight"));
    const auto y = torch::randn({3, 8}, torch::kFloat64);
    const auto reference = y / torch::sqrt(y.pow(2).mean(-1, true) + 1e-6);
    CHECK_NEAR(maxAbsDiff(norm(y.to(torch::kFloat32)), reference), 0.0, 1e-6);
}

TEST_CASE(rotaryTablesAreCachedAndSliced) {
    Qwen3TextEncoder encoder(tinyConfig(), false);
    const auto longer = encoder->rotaryTables(40, torch::kCPU, torch::kFloat32); // [40, headDim]
    const auto shorter = encoder->rotaryTables(7, torch::kCPU, torch::kFloat32);
    REQUIRE(shorter.cos.sizes() == torch::IntArrayRef({7, 16}));
    CHECK(torch::equal(shorter.cos, longer.cos.narrow(0, 0, 7)));
    CHECK(torch::equal(shorter.sin, longer.sin.narrow(0, 0, 7)));
    // Position 0 is the identity rotation; frequency 0 of position p is p radians (inv_freq[0] = 1).
    CHECK(torch::equal(longer.cos[0], torch::ones({16})));
    CHECK_NEAR(longer.sin[5][0].item<double>(), std::sin(5.0), 1e-6);
    CHECK_NEAR(longer.sin[5][8].item<double>(), std::sin(5.0), 1e-6); // rotate_half layout: frequencies twice
}

TEST_CASE(partialModuleHoldsNoLastLayerNorFinalNorm) {
    const auto config = tinyConfig();
    const auto weights = TensorCollection::fromIndex(textEncoderDir() / "model.safetensors.index.json");
    const std::string lastLayer = "model.layers." + std::to_string(config.numLayers - 1) + ".";

    Qwen3TextEncoder partial(config, /*fullDepth=*/false);
    CHECK_EQ(partial->layerCount(), config.numLayers - 1);
    CHECK(partial->named_buffers().is_empty()); // RoPE tables are not state: nothing to load
    std::set<std::string> expected;
    for (const auto& [name, ref] : weights)
        if (name.rfind(lastLayer, 0) != 0 && name != "model.norm.weight")
            expected.insert(name);
    const auto names = parameterNames(*partial);
    for (const auto& name : names) {
        CHECK(name.rfind(lastLayer, 0) != 0);
        CHECK(name.rfind("model.norm.", 0) != 0);
    }
    CHECK(names == expected); // name-for-name with the checkpoint, nothing else

    Qwen3TextEncoder full(config, /*fullDepth=*/true);
    CHECK_EQ(full->layerCount(), config.numLayers);
    std::set<std::string> all;
    for (const auto& [name, ref] : weights)
        all.insert(name);
    CHECK(parameterNames(*full) == all);
    CHECK_THROWS_WITH(partial->forwardAllHiddenStates(torch::zeros({1, 3}, torch::kLong)), std::logic_error,
                      "fullDepth");
    CHECK_THROWS_WITH(partial->forward(torch::zeros({3}, torch::kLong)), std::invalid_argument, "[batch, length]");
}

TEST_CASE(hiddenStatesMatchGoldenOnCpu) {
    const auto measured = checkHiddenStates(torch::kFloat32, torch::kCPU, 1e-4);
    std::printf("hidden states on the CPU: max abs error %.3g over %d tensors\n", measured.maxError, measured.compared);
}

TEST_CASE(promptEmbedsMatchPipelineCasesOnCpu) {
    const auto measured = checkPipelineCases(torch::kFloat32, torch::kCPU, 1e-4);
    std::printf("pipeline prompt embeds on the CPU: max abs error %.3g over %d prompts\n", measured.maxError,
                measured.compared);
}

TEST_CASE(batchRowsAreIndependent) {
    const auto file = TensorCollection::fromFile(fixtureDir() / "golden" / "text_encoder.safetensors");
    auto encoder = loadEncoder(false, torch::kFloat32, torch::kCPU);
    const auto ids = golden(file, "input_ids");                       // [1, L]
    const auto other = torch::flip(ids, {1});                         // another prompt of the same length
    const auto batch = encoder->forward(torch::cat({ids, other}, 0)); // [2, L, hidden]
    CHECK_NEAR(maxAbsDiff(batch[0], encoder->forward(ids)[0]), 0.0, 1e-5);
    CHECK_NEAR(maxAbsDiff(batch[1], encoder->forward(other)[0]), 0.0, 1e-5);
    // Causality: a prefix's embeddings do not depend on the tokens after it.
    const auto prefix = encoder->forward(ids.narrow(1, 0, 4));
    CHECK_NEAR(maxAbsDiff(prefix[0], batch[0].narrow(0, 0, 4)), 0.0, 1e-5);
}

TEST_CASE(cpuForwardTime) {
    const auto file = TensorCollection::fromFile(fixtureDir() / "golden" / "case_turbo.safetensors");
    auto encoder = loadEncoder(false, torch::kFloat32, torch::kCPU);
    const auto ids = golden(file, "input_ids.0").unsqueeze(0); // [1, 23]
    encoder->forward(ids);                                     // warm-up (RoPE tables)
    constexpr int kRuns = 20;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRuns; ++i)
        encoder->forward(ids);
    const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    std::printf("one CPU forward of the tiny encoder (L=%lld): %.3f ms\n", static_cast<long long>(ids.size(1)),
                elapsed.count() / kRuns);
}

TEST_CASE(goldensOnCuda) {
    if (!torch::cuda::is_available())
        SKIP("CUDA is not available");
    const torch::Device cuda(torch::kCUDA, 0);
    const auto states = checkHiddenStates(torch::kFloat32, cuda, 1e-3);
    const auto cases = checkPipelineCases(torch::kFloat32, cuda, 1e-3);
    std::printf("float32 on CUDA: hidden states max abs error %.3g, prompt embeds %.3g\n", states.maxError,
                cases.maxError);

    // bf16: a smoke check only (finite, same shape, loosely close).
    const auto file = TensorCollection::fromFile(fixtureDir() / "golden" / "case_turbo.safetensors");
    auto encoder = loadEncoder(false, torch::kBFloat16, cuda);
    const auto out = encoder->forward(golden(file, "input_ids.0").unsqueeze(0)); // [1, L, hidden]
    CHECK(out.scalar_type() == torch::kBFloat16);
    CHECK(out.is_cuda());
    CHECK(torch::isfinite(out).all().item<bool>());
    const auto error = maxAbsDiff(out[0], golden(file, "prompt_embeds.0"));
    const auto scale = golden(file, "prompt_embeds.0").abs().max().item<double>();
    std::printf("bf16 on CUDA: max abs error %.3g (golden max abs %.3g)\n", error, scale);
    CHECK(error < 0.05 * scale);
}
