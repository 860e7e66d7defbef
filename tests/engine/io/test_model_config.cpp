// Config parsing. Expected values: the real configs in real_model_manifest.json["configs"] and the tiny fixture's
// config.json files (model/*/config.json), whose numbers are restated in the fixture's README.

#include "io/io_error.h"
#include "io/model_config.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>

#include <fstream>

using namespace zimage::io;
using nlohmann::json;

namespace {

json manifestConfig(const char* part) {
    return readJsonFile(zimage::test::fixtureDir() / "real_model_manifest.json")["configs"][part];
}

std::filesystem::path writeConfig(std::string_view test, const std::string& text) {
    const auto path = zimage::test::tempDir(test) / "config.json";
    std::ofstream(path) << text;
    return path;
}

} // namespace

TEST_CASE(realTransformerConfig) {
    const auto config = TransformerConfig::fromJson(manifestConfig("transformer"));
    CHECK_EQ(config.dim, 3840);
    CHECK_EQ(config.numLayers, 30);
    CHECK_EQ(config.numRefinerLayers, 2);
    CHECK_EQ(config.numHeads, 30);
    CHECK_EQ(config.numKvHeads, 30);
    CHECK_EQ(config.headDim(), 128);
    CHECK_EQ(config.ffnHidden(), 10240); // REFERENCE.md: int(dim / 3 * 8)
    CHECK_EQ(config.capFeatDim, 2560);
    CHECK_EQ(config.patchSize, 2);
    CHECK_EQ(config.fPatchSize, 1);
    CHECK_EQ(config.patchValues(), 64);
    CHECK(config.axesDims == (std::vector<std::int64_t>{32, 48, 48}));
    CHECK(config.axesLens == (std::vector<std::int64_t>{1536, 512, 512}));
    CHECK_NEAR(config.normEps, 1e-5, 1e-12);
    CHECK_NEAR(config.ropeTheta, 256.0, 0.0);
    CHECK_NEAR(config.tScale, 1000.0, 0.0);
    CHECK(config.qkNorm);
}

TEST_CASE(realTextEncoderConfigUsesRopeParameters) {
    const auto config = TextEncoderConfig::fromJson(manifestConfig("text_encoder"));
    CHECK_EQ(config.vocabSize, 151936);
    CHECK_EQ(config.hiddenSize, 2560);
    CHECK_EQ(config.numLayers, 36);
    CHECK_EQ(config.numHeads, 32);
    CHECK_EQ(config.numKvHeads, 8);
    CHECK_EQ(config.headDim, 128);
    CHECK_EQ(config.intermediateSize, 9728);
    CHECK_NEAR(config.rmsNormEps, 1e-6, 1e-15);
    CHECK_NEAR(config.ropeTheta, 1e6, 0.0);
    CHECK(config.tieWordEmbeddings);
}

TEST_CASE(realVaeAndSchedulerConfigs) {
    const auto vae = VaeConfig::fromJson(manifestConfig("vae"));
    CHECK(vae.blockOutChannels == (std::vector<std::int64_t>{128, 256, 512, 512}));
    CHECK_EQ(vae.latentChannels, 16);
    CHECK_EQ(vae.layersPerBlock, 2);
    CHECK_NEAR(vae.scalingFactor, 0.3611, 0.0);
    CHECK_NEAR(vae.shiftFactor, 0.1159, 0.0);
    CHECK(vae.midBlockAddAttention);
    CHECK(!vae.useQuantConv);
    CHECK(!vae.usePostQuantConv);
    const auto scheduler = SchedulerConfig::fromJson(manifestConfig("scheduler"));
    CHECK_NEAR(scheduler.shift, 3.0, 0.0);
    CHECK_EQ(scheduler.numTrainTimesteps, 1000);
    CHECK(!scheduler.useDynamicShifting);
}

TEST_CASE(tinyFixtureConfigs) {
    const auto model = zimage::test::fixtureDir() / "model";
    const auto transformer = readTransformerConfig(model / "transformer" / "config.json");
    CHECK_EQ(transformer.dim, 256);
    CHECK_EQ(transformer.numHeads, 2);
    CHECK_EQ(transformer.headDim(), 128);
    CHECK_EQ(transformer.numLayers, 2);
    CHECK_EQ(transformer.capFeatDim, 32);
    CHECK_EQ(transformer.ffnHidden(), 682); // the fixture's feed_forward.w1 has 682 rows
    const auto encoder = readTextEncoderConfig(model / "text_encoder" / "config.json");
    CHECK_EQ(encoder.hiddenSize, 32);
    CHECK_EQ(encoder.numLayers, 3);
    CHECK_EQ(encoder.numHeads, 4);
    CHECK_EQ(encoder.numKvHeads, 2);
    CHECK_EQ(encoder.headDim, 16);
    CHECK_EQ(encoder.intermediateSize, 96);
    CHECK_NEAR(encoder.ropeTheta, 1e6, 0.0);
    const auto vae = readVaeConfig(model / "vae" / "config.json");
    CHECK(vae.blockOutChannels == (std::vector<std::int64_t>{32, 32, 64, 64}));
    CHECK_NEAR(readSchedulerConfig(model / "scheduler" / "scheduler_config.json").shift, 3.0, 0.0);
}

TEST_CASE(bothRopeThetaSpellings) {
    CHECK_NEAR(TextEncoderConfig::fromJson(json::parse(R"({"rope_theta": 500000})")).ropeTheta, 5e5, 0.0);
    CHECK_NEAR(TextEncoderConfig::fromJson(json::parse(R"({"rope_parameters": {"rope_theta": 2e6}})")).ropeTheta, 2e6,
               0.0);
    CHECK_NEAR(TextEncoderConfig::fromJson(json::parse(R"({"rope_parameters": {"rope_type": "default"}})")).ropeTheta,
               1e6, 0.0);
}

TEST_CASE(unknownKeysAndNullsAreIgnored) {
    const auto config = TransformerConfig::fromJson(json::parse(R"({"dim": 512, "n_heads": 4, "future_key": {"x": [1]},
                                                     "siglip_feat_dim": null, "n_layers": null})"));
    CHECK_EQ(config.dim, 512);
    CHECK_EQ(config.numHeads, 4);
    CHECK_EQ(config.numLayers, 30); // null keeps the default
}

TEST_CASE(headDimDefaultsToHiddenOverHeads) {
    // transformers' Qwen2-style configs have no head_dim key.
    const auto config = TextEncoderConfig::fromJson(json::parse(R"({"hidden_size": 64, "num_attention_heads": 4,
                                                                    "num_key_value_heads": 2})"));
    CHECK_EQ(config.headDim, 16);
}

TEST_CASE(patchSizeArrays) {
    const auto config = TransformerConfig::fromJson(json::parse(R"({"all_patch_size": [4], "all_f_patch_size": [2]})"));
    CHECK_EQ(config.patchSize, 4);
    CHECK_EQ(config.fPatchSize, 2);
    CHECK_THROWS_WITH(TransformerConfig::fromJson(json::parse(R"({"all_patch_size": []})")), IoError,
                      "'all_patch_size' is an empty list");
    CHECK_THROWS_WITH(TransformerConfig::fromJson(json::parse(R"({"all_patch_size": 2})")), IoError,
                      "'all_patch_size' should be a list of integers");
}

TEST_CASE(integralFloatsAreIntegers) {
    CHECK_EQ(TransformerConfig::fromJson(json::parse(R"({"dim": 256.0, "n_heads": 2})")).dim, 256);
    CHECK_THROWS_WITH(TransformerConfig::fromJson(json::parse(R"({"dim": 256.5})")), IoError,
                      "'dim' should be an integer");
}

TEST_CASE(wrongTypeNamesFileAndKey) {
    const auto path = writeConfig("wrongTypeNamesFileAndKey", R"({"dim": "3840"})");
    CHECK_THROWS_WITH(readTransformerConfig(path), IoError, path.string());
    CHECK_THROWS_WITH(readTransformerConfig(path), IoError, "key 'dim' should be an integer, found string");

    const auto nested = writeConfig("wrongTypeNested", R"({"rope_parameters": {"rope_theta": "1e6"}})");
    CHECK_THROWS_WITH(readTextEncoderConfig(nested), IoError, "'rope_parameters.rope_theta' should be a number");
    const auto flag = writeConfig("wrongTypeFlag", R"({"tie_word_embeddings": 1})");
    CHECK_THROWS_WITH(readTextEncoderConfig(flag), IoError, "'tie_word_embeddings' should be true or false");
    const auto list = writeConfig("wrongTypeList", R"({"block_out_channels": [128, "256"]})");
    CHECK_THROWS_WITH(readVaeConfig(list), IoError, "'block_out_channels[1]' should be an integer");
    const auto shift = writeConfig("wrongTypeShift", R"({"shift": "3"})");
    CHECK_THROWS_WITH(readSchedulerConfig(shift), IoError, "'shift' should be a number");
}

TEST_CASE(inconsistentSizesAreRejected) {
    CHECK_THROWS_WITH(TransformerConfig::fromJson(json::parse(R"({"dim": 256, "n_heads": 3})")), IoError,
                      "not a multiple of n_heads");
    CHECK_THROWS_WITH(
        TextEncoderConfig::fromJson(json::parse(R"({"num_attention_heads": 6, "num_key_value_heads": 4})")), IoError,
        "not a multiple of num_key_value_heads");
    CHECK_THROWS_WITH(VaeConfig::fromJson(json::parse(R"({"latent_channels": 0})")), IoError,
                      "'latent_channels' must be positive");
}

TEST_CASE(unreadableFiles) {
    const auto dir = zimage::test::tempDir("unreadableFiles");
    CHECK_THROWS_WITH(readVaeConfig(dir / "absent.json"), IoError, "file not found");
    std::ofstream(dir / "broken.json") << "{\"dim\": ";
    CHECK_THROWS_WITH(readTransformerConfig(dir / "broken.json"), IoError, "invalid JSON");
    std::ofstream(dir / "array.json") << "[1, 2]";
    CHECK_THROWS_WITH(readTransformerConfig(dir / "array.json"), IoError, "expected a JSON object");
}
