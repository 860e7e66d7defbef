// Expected tensor lists, config inference and the checkpoint check. Expected values: real_model_manifest.json (every
// tensor name and shape of the real model, in the reference modules' order, and the real configs) and the tiny
// fixture's files in model/ and comfy/ (fixture README).

#include "io/expected_tensors.h"
#include "io/io_error.h"
#include "io/name_mapping.h"
#include "io/safetensors_writer.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

using namespace zimage::io;
using Shape = std::vector<std::int64_t>;

namespace {

// The manifest keeps the reference's order; nlohmann::ordered_json preserves it.
const nlohmann::ordered_json& manifest() {
    static const nlohmann::ordered_json value = [] {
        std::ifstream in(zimage::test::fixtureDir() / "real_model_manifest.json");
        return nlohmann::ordered_json::parse(in);
    }();
    return value;
}

std::vector<ExpectedTensor> manifestList(const char* part) {
    std::vector<ExpectedTensor> list;
    for (const auto& [name, shape] : manifest()[part].items())
        list.push_back({name, shape.get<Shape>()});
    return list;
}

nlohmann::json manifestConfig(const char* part) {
    return nlohmann::json::parse(manifest()["configs"][part].dump());
}

std::map<std::string, Shape> asMap(const std::vector<ExpectedTensor>& list) {
    std::map<std::string, Shape> result;
    for (const auto& tensor : list)
        result[tensor.name] = tensor.shape;
    return result;
}

std::map<std::string, Shape> asMap(const TensorCollection& tensors) {
    std::map<std::string, Shape> result;
    for (const auto& [name, ref] : tensors)
        result[name] = ref.shape;
    return result;
}

// Reports the first difference of two lists by index (a bare == would say only "differ").
void checkSameList(const std::vector<ExpectedTensor>& actual, const std::vector<ExpectedTensor>& expected) {
    CHECK_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
        if (!(actual[i] == expected[i])) {
            FAIL("entry " + std::to_string(i) + ": " + actual[i].name + " " + formatShape(actual[i].shape) +
                 " != " + expected[i].name + " " + formatShape(expected[i].shape));
        }
    }
}

// A real-size checkpoint without the cost: a valid safetensors header whose data section is a sparse hole (the
// reader maps but never touches it). Lets the real model's shapes run through inference and the check.
TensorCollection headerOnlyCheckpoint(std::string_view test, const std::vector<ExpectedTensor>& tensors) {
    nlohmann::ordered_json header;
    std::uint64_t offset = 0;
    for (const auto& tensor : tensors) {
        std::uint64_t bytes = 2; // BF16
        for (const auto d : tensor.shape)
            bytes *= static_cast<std::uint64_t>(d);
        header[tensor.name] = {{"dtype", "BF16"}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const auto path = zimage::test::tempDir(test) / "sparse.safetensors";
    {
        std::ofstream out(path, std::ios::binary);
        const std::uint64_t length = text.size();
        for (int i = 0; i < 8; ++i)
            out.put(static_cast<char>((length >> (8 * i)) & 0xff));
        out << text;
    }
    std::filesystem::resize_file(path, 8 + text.size() + offset);
    return TensorCollection::fromFile(path);
}

TensorCollection zeroCollection(std::string_view test, const std::vector<ExpectedTensor>& tensors) {
    std::vector<std::vector<std::byte>> buffers;
    std::vector<TensorToWrite> toWrite;
    for (const auto& tensor : tensors) {
        std::int64_t numel = 1;
        for (const auto d : tensor.shape)
            numel *= d;
        buffers.emplace_back(static_cast<std::size_t>(numel) * 4);
    }
    for (std::size_t i = 0; i < tensors.size(); ++i)
        toWrite.push_back({tensors[i].name, DType::F32, tensors[i].shape, buffers[i]});
    const auto path = zimage::test::tempDir(test) / "tensors.safetensors";
    writeSafetensors(path, toWrite);
    return TensorCollection::fromFile(path);
}

// A text encoder small enough to write out: 2 layers of width 8.
TextEncoderConfig smallTextEncoder() {
    TextEncoderConfig config;
    config.vocabSize = 16;
    config.hiddenSize = 8;
    config.numLayers = 2;
    config.numHeads = 2;
    config.numKvHeads = 1;
    config.headDim = 4;
    config.intermediateSize = 12;
    return config;
}

} // namespace

TEST_CASE(realListsEqualTheManifestInOrder) {
    checkSameList(expectedTransformerTensors(TransformerConfig::fromJson(manifestConfig("transformer"))),
                  manifestList("transformer"));
    checkSameList(expectedVaeTensors(VaeConfig::fromJson(manifestConfig("vae"))), manifestList("vae"));
    checkSameList(expectedTextEncoderTensors(TextEncoderConfig::fromJson(manifestConfig("text_encoder"))),
                  manifestList("text_encoder"));
    // The defaults are the real model.
    CHECK(expectedTransformerTensors({}) == manifestList("transformer"));
}

TEST_CASE(tinyListsEqualTheFixtureFiles) {
    const auto model = zimage::test::fixtureDir() / "model";
    CHECK(asMap(expectedTransformerTensors(readTransformerConfig(model / "transformer" / "config.json"))) ==
          asMap(TensorCollection::fromPath(model / "transformer")));
    CHECK(asMap(expectedVaeTensors(readVaeConfig(model / "vae" / "config.json"))) ==
          asMap(TensorCollection::fromPath(model / "vae")));
    CHECK(asMap(expectedTextEncoderTensors(readTextEncoderConfig(model / "text_encoder" / "config.json"))) ==
          asMap(TensorCollection::fromPath(model / "text_encoder")));
}

TEST_CASE(untiedTextEncoderListsLmHead) {
    TextEncoderConfig config = smallTextEncoder();
    config.tieWordEmbeddings = false;
    const auto list = expectedTextEncoderTensors(config);
    CHECK(list.back() == (ExpectedTensor{"lm_head.weight", {16, 8}}));
}

TEST_CASE(inferFromTheTinyComfyFiles) {
    // The fixture README: dim 256, 2 heads of 128, 2 layers, 2+2 refiners, cap_feat_dim 32; VAE [32, 32, 64, 64].
    const auto comfy = zimage::test::fixtureDir() / "comfy";
    const auto dit = inferTransformerConfig(
        renameComfyTransformer(TensorCollection::fromPath(comfy / "z_image_tiny_bf16.safetensors")));
    CHECK_EQ(dit.dim, 256);
    CHECK_EQ(dit.numHeads, 2);
    CHECK_EQ(dit.numKvHeads, 2);
    CHECK_EQ(dit.headDim(), 128);
    CHECK_EQ(dit.numLayers, 2);
    CHECK_EQ(dit.numRefinerLayers, 2);
    CHECK_EQ(dit.capFeatDim, 32);
    CHECK_EQ(dit.patchSize, 2);
    CHECK_EQ(dit.inChannels, 16);
    CHECK(dit.qkNorm);
    const auto vae = inferVaeConfig(mapLdmVae(TensorCollection::fromPath(comfy / "ae_tiny.safetensors")));
    CHECK(vae.blockOutChannels == (Shape{32, 32, 64, 64}));
    CHECK_EQ(vae.layersPerBlock, 2);
    CHECK_EQ(vae.latentChannels, 16);
    CHECK(vae.midBlockAddAttention);
    const auto encoder =
        inferTextEncoderConfig(TensorCollection::fromPath(zimage::test::fixtureDir() / "model" / "text_encoder"));
    CHECK_EQ(encoder.hiddenSize, 32);
    CHECK_EQ(encoder.numLayers, 3);
    CHECK_EQ(encoder.numHeads, 4);
    CHECK_EQ(encoder.numKvHeads, 2);
    CHECK_EQ(encoder.headDim, 16);
    CHECK_EQ(encoder.intermediateSize, 96);
    CHECK(encoder.tieWordEmbeddings);
}

TEST_CASE(inferFromRealShapes) {
    // Starting from a config that is wrong everywhere, the real shapes (ComfyUI DiT, LDM VAE) give the real configs.
    std::vector<ExpectedTensor> comfyDit;
    for (const auto& tensor : manifestList("transformer_comfy"))
        comfyDit.push_back({"model.diffusion_model." + tensor.name, tensor.shape});
    TransformerConfig wrongDit;
    wrongDit.dim = 64;
    wrongDit.numHeads = 1;
    wrongDit.numKvHeads = 1;
    wrongDit.numLayers = 1;
    const auto dit =
        inferTransformerConfig(renameComfyTransformer(headerOnlyCheckpoint("realDit", comfyDit)), wrongDit);
    CHECK(expectedTransformerTensors(dit) == manifestList("transformer"));
    CHECK_EQ(dit.headDim(), 128);

    VaeConfig wrongVae;
    wrongVae.blockOutChannels = {8};
    wrongVae.latentChannels = 4;
    const auto vae = inferVaeConfig(mapLdmVae(headerOnlyCheckpoint("realVae", manifestList("vae_ldm"))), wrongVae);
    CHECK(asMap(expectedVaeTensors(vae)) == asMap(manifestList("vae")));

    const auto encoder =
        inferTextEncoderConfig(headerOnlyCheckpoint("realEncoder", manifestList("text_encoder")), smallTextEncoder());
    CHECK(expectedTextEncoderTensors(encoder) == manifestList("text_encoder"));
}

TEST_CASE(checkPassesOnTheFixture) {
    const auto model = zimage::test::fixtureDir() / "model";
    checkTensors(TensorCollection::fromPath(model / "vae"),
                 expectedVaeTensors(readVaeConfig(model / "vae" / "config.json")), "vae");
    checkTensors(TensorCollection::fromPath(model / "text_encoder"),
                 expectedTextEncoderTensors(readTextEncoderConfig(model / "text_encoder" / "config.json")),
                 "text encoder");
}

TEST_CASE(checkListsMissingUnexpectedAndWrongShapes) {
    auto tensors = expectedTextEncoderTensors(smallTextEncoder());
    const std::string missing = tensors[3].name + " " + formatShape(tensors[3].shape);
    tensors.erase(tensors.begin() + 3);
    tensors[0].shape = {16, 9};
    tensors.push_back({"model.layers.0.self_attn.rotary.inv_freq", {2}});
    const auto collection = zeroCollection("checkLists", tensors);
    const auto expected = expectedTextEncoderTensors(smallTextEncoder());
    CHECK_THROWS_WITH(checkTensors(collection, expected, "text encoder"), IoError,
                      "1 missing, 1 unexpected, 1 with the wrong shape");
    CHECK_THROWS_WITH(checkTensors(collection, expected, "text encoder"), IoError, missing);
    CHECK_THROWS_WITH(checkTensors(collection, expected, "text encoder"), IoError,
                      "model.layers.0.self_attn.rotary.inv_freq [2] F32");
    CHECK_THROWS_WITH(checkTensors(collection, expected, "text encoder"), IoError,
                      "model.embed_tokens.weight: expected [16, 8], found [16, 9]");
    // The message names the file.
    CHECK_THROWS_WITH(checkTensors(collection, expected, "text encoder"), IoError, "tensors.safetensors");
}

TEST_CASE(checkCapsLongLists) {
    TextEncoderConfig config = smallTextEncoder();
    config.numLayers = 4; // 1 + 4 * 11 + 1 = 46 tensors
    const auto collection = zeroCollection("checkCaps", {{"model.norm.weight", {8}}});
    CHECK_THROWS_WITH(checkTensors(collection, expectedTextEncoderTensors(config), "text encoder"), IoError,
                      "45 missing");
    CHECK_THROWS_WITH(checkTensors(collection, expectedTextEncoderTensors(config), "text encoder"), IoError,
                      "... and 25 more");
}

TEST_CASE(checkSaysWhatTheFilesLookLike) {
    const auto unet = zeroCollection("looksLikeUnet", {{"model.diffusion_model.input_blocks.0.0.weight", {4, 4}},
                                                       {"model.diffusion_model.label_emb.0.0.weight", {4, 4}}});
    CHECK_THROWS_WITH(checkTensors(unet, expectedTransformerTensors({}), "transformer"), IoError,
                      "This looks like an SDXL UNet, not the Z-Image DiT (transformer).");
    const auto sdVae = zeroCollection("looksLikeSdVae", {{"decoder.conv_in.weight", {8, 4, 3, 3}}});
    CHECK_THROWS_WITH(checkTensors(sdVae, expectedVaeTensors({}), "vae"), IoError,
                      "a VAE with 4 latent channels (Stable Diffusion / SDXL), not the Z-Image VAE");
    const auto dit = TensorCollection::fromPath(zimage::test::fixtureDir() / "comfy" / "z_image_tiny_bf16.safetensors");
    CHECK_THROWS_WITH(checkTensors(dit, expectedVaeTensors({}), "vae"), IoError,
                      "This looks like the Z-Image DiT in ComfyUI names (dim 256), not the Z-Image VAE.");
    const auto clip = zeroCollection("looksLikeClip", {{"text_model.encoder.layers.0.mlp.fc1.weight", {4, 4}}});
    CHECK_THROWS_WITH(checkTensors(clip, expectedTextEncoderTensors({}), "text encoder"), IoError,
                      "a CLIP text encoder");
    const auto quantized = zeroCollection(
        "looksQuantized", {{"model.embed_tokens.weight", {16, 8}}, {"model.layers.0.mlp.up_proj.scale_weight", {1}}});
    CHECK_THROWS_WITH(checkTensors(quantized, expectedTextEncoderTensors({}), "text encoder"), IoError,
                      "FP8-quantized");
}

TEST_CASE(checkBlamesTheConfigWhenAZimageDitHasOtherSizes) {
    const auto model = zimage::test::fixtureDir() / "model";
    // The tiny DiT against the real config: every weight has the wrong shape and 28 layers are missing.
    CHECK_THROWS_WITH(
        checkTensors(TensorCollection::fromPath(model / "transformer"), expectedTransformerTensors({}), "transformer"),
        IoError, "of another size: the config.json next to it may not belong to these weights");
}
