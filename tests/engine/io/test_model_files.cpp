// openModelFiles() on the tiny fixture in both layouts. The fixture README states that comfy/ holds the same weights
// as model/: so after mapping, the ComfyUI files must give the diffusers names, shapes and bytes exactly (including
// the q/k/v row slices of the fused qkv and the reshaped 1x1-conv VAE attention weights).

#include "io/expected_tensors.h"
#include "io/model_files.h"
#include "model_test_support.h"
#include "test_harness.h"

#include <zimage/errors.h>

#include <algorithm>
#include <cstring>
#include <fstream>

using namespace zimage;
namespace fs = std::filesystem;

namespace {

fs::path fixtureModel() {
    return fs::absolute(zimage::test::fixtureDir() / "model");
}

bool sameBytes(const io::TensorRef& a, const io::TensorRef& b) {
    const auto x = a.bytes(), y = b.bytes();
    return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size()) == 0;
}

// Every tensor of `expected` is in `actual` with the same shape, dtype and bytes, and nothing else is.
void checkSameTensors(const io::TensorCollection& actual, const io::TensorCollection& expected) {
    CHECK_EQ(actual.size(), expected.size());
    for (const auto& [name, ref] : expected) {
        const io::TensorRef* other = actual.find(name);
        if (!other) {
            FAIL("missing " + name);
        }
        CHECK(other->shape == ref.shape);
        CHECK(other->dtype == ref.dtype);
        if (!sameBytes(*other, ref))
            zimage::test::recordFailure(__FILE__, __LINE__, "bytes differ: " + name);
    }
}

ModelSource comfySource(std::string_view test) {
    const auto install = zimage::test::tempDir(test) / "ComfyUI";
    zimage::test::makeComfyInstall(install, true);
    return locateModel(install);
}

} // namespace

TEST_CASE(diffusersFixtureOpens) {
    const auto files = io::openModelFiles(locateModel(fixtureModel()));
    CHECK_EQ(files.transformerLayout, std::string("diffusers"));
    CHECK_EQ(files.vaeLayout, std::string("diffusers"));
    CHECK_EQ(files.textEncoderLayout, std::string("transformers"));
    // Counts from the fixture's index files and the VAE header: 101 DiT tensors, 35 text encoder, 240 VAE.
    CHECK_EQ(files.transformer.size(), 101u);
    CHECK_EQ(files.textEncoder.size(), 35u);
    CHECK_EQ(files.vae.size(), 240u);
    CHECK_EQ(files.transformerConfig.dim, 256);
    CHECK_EQ(files.textEncoderConfig.hiddenSize, 32);
    CHECK(files.vaeConfig.blockOutChannels == (std::vector<std::int64_t>{32, 32, 64, 64}));
    CHECK_NEAR(files.schedulerConfig.shift, 3.0, 0.0);
}

TEST_CASE(comfyFilesMatchTheDiffusersFolder) {
    const auto diffusers = io::openModelFiles(locateModel(fixtureModel()));
    const auto comfy = io::openModelFiles(comfySource("comfyMatches"));
    CHECK_EQ(comfy.transformerLayout, std::string("comfyui"));
    CHECK_EQ(comfy.vaeLayout, std::string("ldm"));
    CHECK_EQ(comfy.textEncoderLayout, std::string("transformers"));
    checkSameTensors(comfy.transformer, diffusers.transformer);
    checkSameTensors(comfy.vae, diffusers.vae);
    checkSameTensors(comfy.textEncoder, diffusers.textEncoder);

    // The configs inferred from the ComfyUI shapes list exactly the tensors the config.json files do.
    CHECK(io::expectedTransformerTensors(comfy.transformerConfig) ==
          io::expectedTransformerTensors(diffusers.transformerConfig));
    CHECK(io::expectedVaeTensors(comfy.vaeConfig) == io::expectedVaeTensors(diffusers.vaeConfig));
    CHECK(io::expectedTextEncoderTensors(comfy.textEncoderConfig) ==
          io::expectedTextEncoderTensors(diffusers.textEncoderConfig));

    // The two mappings that are more than renames, spelled out.
    for (const char* block : {"layers.0", "layers.1", "noise_refiner.0", "context_refiner.1"})
        for (const char* projection : {".attention.to_q.weight", ".attention.to_k.weight", ".attention.to_v.weight"}) {
            const std::string name = std::string(block) + projection;
            CHECK_EQ(comfy.transformer.at(name).storedName, std::string(block) + ".attention.qkv.weight");
            CHECK(sameBytes(comfy.transformer.at(name), diffusers.transformer.at(name)));
        }
    for (const char* side : {"encoder", "decoder"})
        for (const char* projection : {"to_q", "to_k", "to_v", "to_out.0"}) {
            const std::string name = std::string(side) + ".mid_block.attentions.0." + projection + ".weight";
            CHECK(comfy.vae.at(name).shape == (std::vector<std::int64_t>{64, 64}));
            CHECK(sameBytes(comfy.vae.at(name), diffusers.vae.at(name)));
        }
}

TEST_CASE(unprefixedTextEncoderWithTiedLmHead) {
    // Some single-file exports drop "model." and keep the tied output projection; both are accepted.
    const auto dir = zimage::test::tempDir("unprefixedEncoder");
    const auto shards = io::TensorCollection::fromPath(fixtureModel() / "text_encoder");
    zimage::test::writeCollection(shards, dir / "qwen3_4b.safetensors", [](auto& tensors) {
        for (auto& tensor : tensors)
            tensor.name = tensor.name.substr(std::string_view("model.").size());
        const auto embed = std::find_if(tensors.begin(), tensors.end(),
                                        [](const auto& tensor) { return tensor.name == "embed_tokens.weight"; });
        auto lmHead = *embed;
        lmHead.name = "lm_head.weight";
        tensors.push_back(lmHead);
    });
    ModelOverrides overrides;
    overrides.textEncoder = dir / "qwen3_4b.safetensors";
    const auto files = io::openModelFiles(locateModel(fixtureModel(), overrides));
    CHECK_EQ(files.textEncoderLayout, std::string("unprefixed"));
    CHECK(files.textEncoder.contains("model.layers.2.mlp.down_proj.weight"));
    CHECK_EQ(files.textEncoder.at("model.norm.weight").storedName, std::string("norm.weight"));
    // Inferred from the shapes: an lm_head present means untied, so it is expected and kept.
    CHECK(!files.textEncoderConfig.tieWordEmbeddings);
    CHECK_EQ(files.textEncoderConfig.numLayers, 3);
}

TEST_CASE(wrongPartSaysWhatItIs) {
    ModelOverrides overrides;
    overrides.transformer = fs::absolute(zimage::test::fixtureDir() / "comfy" / "ae_tiny.safetensors");
    const ModelSource source = locateModel(fixtureModel(), overrides);
    CHECK_THROWS_WITH(io::openModelFiles(source), EngineError,
                      "This looks like a 16-channel (Flux-style) VAE, not the Z-Image DiT (transformer).");
}

TEST_CASE(damagedFileAndBadConfigBecomeEngineErrors) {
    const auto dir = zimage::test::tempDir("damaged");
    std::ofstream(dir / "broken.safetensors") << "not a safetensors file";
    ModelOverrides overrides;
    overrides.vae = dir / "broken.safetensors";
    try {
        io::openModelFiles(locateModel(fixtureModel(), overrides));
        FAIL("a damaged VAE file opened");
    } catch (const EngineError& error) {
        CHECK(error.code() == ErrorCode::ModelFiles);
        CHECK(std::string(error.what()).find((dir / "broken.safetensors").string()) != std::string::npos);
        CHECK(!error.hint().empty());
    }

    // A transformer folder whose config.json has a key of the wrong type.
    const auto part = dir / "transformer";
    zimage::test::symlinkTree(fixtureModel() / "transformer", part,
                              [](const fs::path& relative) { return relative == "config.json"; });
    std::ofstream(part / "config.json") << R"({"dim": "256"})";
    overrides = {};
    overrides.transformer = part;
    CHECK_THROWS_WITH(io::openModelFiles(locateModel(fixtureModel(), overrides)), EngineError,
                      (part / "config.json").string() + ": key 'dim' should be an integer, found string");
}
