// inspectPath() / formatInspectReport(). The acceptance check of `zimage-cli inspect`: the fixture's diffusers folder
// and its comfy/ files (same weights, fixture README) report the same diffusers names and shapes. Parameter counts
// are computed from the tensor lists the configs call for (expected_tensors), not from the files themselves.

#include "io/expected_tensors.h"
#include "io/inspect.h"
#include "io/model_config.h"
#include "model_test_support.h"
#include "test_harness.h"

#include <zimage/errors.h>

#include <fstream>
#include <map>

using namespace zimage;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path fixture() {
    return fs::absolute(zimage::test::fixtureDir());
}

std::map<std::string, json> namesAndShapes(const json& tensors) {
    std::map<std::string, json> result;
    for (const auto& tensor : tensors)
        result[tensor["name"].get<std::string>()] = tensor["shape"];
    return result;
}

std::int64_t parameterCount(const std::vector<io::ExpectedTensor>& tensors) {
    std::int64_t total = 0;
    for (const auto& tensor : tensors) {
        std::int64_t numel = 1;
        for (const auto d : tensor.shape)
            numel *= d;
        total += numel;
    }
    return total;
}

} // namespace

TEST_CASE(diffusersFolderAndComfyFilesReportTheSameDiffusersNames) {
    const json model = io::inspectPath(fixture() / "model");
    REQUIRE_EQ(model["kind"], json("model"));
    const json dit = io::inspectPath(fixture() / "comfy" / "z_image_tiny_bf16.safetensors");
    const json vae = io::inspectPath(fixture() / "comfy" / "ae_tiny.safetensors");
    CHECK(namesAndShapes(dit["diffusers"]) == namesAndShapes(model["parts"]["transformer"]["tensors"]));
    CHECK(namesAndShapes(vae["diffusers"]) == namesAndShapes(model["parts"]["vae"]["tensors"]));
    CHECK_EQ(namesAndShapes(dit["diffusers"]).size(), 101u);
    CHECK_EQ(namesAndShapes(vae["diffusers"]).size(), 240u);

    // The comfy/ folder itself is no model: each checkpoint in it is reported.
    const json folder = io::inspectPath(fixture() / "comfy");
    REQUIRE_EQ(folder["kind"], json("folder"));
    REQUIRE_EQ(folder["checkpoints"].size(), 2u);
    CHECK(namesAndShapes(folder["checkpoints"][1]["diffusers"]) == namesAndShapes(dit["diffusers"]));

    // A ComfyUI models folder reports the same as the diffusers folder, part by part.
    const auto install = zimage::test::tempDir("inspectComfy") / "ComfyUI";
    zimage::test::makeComfyInstall(install, true);
    const json comfyModel = io::inspectPath(install);
    for (const char* part : {"transformer", "text_encoder", "vae"})
        CHECK(namesAndShapes(comfyModel["parts"][part]["tensors"]) == namesAndShapes(model["parts"][part]["tensors"]));
    CHECK_EQ(comfyModel["layout"], json("comfyui"));

    // A bare models folder has no tokenizer; inspect reads the weights only and says so.
    const auto models = zimage::test::makeComfyInstall(zimage::test::tempDir("inspectComfyModels"), false);
    const json bare = io::inspectPath(models);
    CHECK(bare["tokenizer"].is_null());
    CHECK(namesAndShapes(bare["parts"]["vae"]["tensors"]) == namesAndShapes(model["parts"]["vae"]["tensors"]));
    CHECK(io::formatInspectReport(bare).find("tokenizer: none found") != std::string::npos);
}

TEST_CASE(comfyCheckpointDetails) {
    const json report = io::inspectPath(fixture() / "comfy" / "z_image_tiny_bf16.safetensors");
    const auto config = io::readTransformerConfig(fixture() / "model" / "transformer" / "config.json");
    CHECK_EQ(report["kind"], json("checkpoint"));
    CHECK_EQ(report["part"], json("transformer"));
    CHECK_EQ(report["layout"], json("comfyui"));
    CHECK_EQ(report["config_inferred"], json(true));
    CHECK_EQ(report["config"]["dim"], json(256));
    CHECK_EQ(report["config"]["n_heads"], json(2));
    CHECK(report["problems"].is_null());
    CHECK_EQ(report["tensor_count"], json(89)); // 101 diffusers tensors less 2 per fused block (6 blocks)
    CHECK_EQ(report["total_params"], json(parameterCount(io::expectedTransformerTensors(config))));
    CHECK_EQ(report["total_bytes"].get<std::int64_t>(), 2 * report["total_params"].get<std::int64_t>()); // BF16
    CHECK_EQ(report["dtypes"]["BF16"], json(89));
    const auto stored = namesAndShapes(report["tensors"]);
    CHECK(stored.at("layers.0.attention.qkv.weight") == json({768, 256}));
    CHECK(report["looks_like"].get<std::string>().find("Z-Image DiT in ComfyUI names") != std::string::npos);

    const std::string text = io::formatInspectReport(report);
    CHECK(text.find("layout: comfyui") != std::string::npos);
    CHECK(text.find("config (inferred from the tensor shapes): ") != std::string::npos);
    CHECK(text.find(", dim 256, ") != std::string::npos);
    CHECK(text.find("diffusers names (what the engine loads):") != std::string::npos);
    CHECK(text.find("<- layers.0.attention.qkv.weight rows 256..511") != std::string::npos);
    // k is rows [256, 512) of the fused [768, 256] tensor: q, k, v of dim 256 each.
    for (const auto& tensor : report["diffusers"])
        if (tensor["name"] == "layers.0.attention.to_k.weight") {
            CHECK_EQ(tensor["stored_rows"], json({256, 512}));
            CHECK_EQ(tensor["stored_shape"], json({768, 256}));
        }
    CHECK(text.find("all_x_embedder.2-1.weight") != std::string::npos);
}

TEST_CASE(shardedIndexDetails) {
    const auto index = fixture() / "model" / "text_encoder" / "model.safetensors.index.json";
    const json report = io::inspectPath(index);
    const auto config = io::readTextEncoderConfig(fixture() / "model" / "text_encoder" / "config.json");
    CHECK_EQ(report["files"].size(), 2u);
    CHECK_EQ(report["metadata"]["format"], json("pt"));
    CHECK_EQ(report["part"], json("text_encoder"));
    CHECK_EQ(report["config_file"], json((fixture() / "model" / "text_encoder" / "config.json").string()));
    CHECK_EQ(report["config_inferred"], json(false));
    CHECK_EQ(report["total_params"], json(parameterCount(io::expectedTextEncoderTensors(config))));
    const std::string text = io::formatInspectReport(report);
    CHECK(text.find("files: 2 shards") != std::string::npos);
    CHECK(text.find("model.embed_tokens.weight") != std::string::npos);
}

TEST_CASE(modelFolderReport) {
    const json report = io::inspectPath(fixture() / "model");
    CHECK_EQ(report["layout"], json("diffusers"));
    CHECK_EQ(report["scheduler"]["shift"], json(3.0));
    const json& vae = report["parts"]["vae"];
    CHECK_EQ(vae["tensor_count"], json(240));
    CHECK(vae["problems"].is_null());
    CHECK_EQ(vae["config"]["block_out_channels"], json({32, 32, 64, 64}));
    // The LDM VAE's 1x1-conv attention weights are reported with their stored shape.
    const json ldm = io::inspectPath(fixture() / "comfy" / "ae_tiny.safetensors");
    CHECK(io::formatInspectReport(ldm).find("<- decoder.mid.attn_1.q.weight [64, 64, 1, 1]") != std::string::npos);
    const std::string text = io::formatInspectReport(report);
    CHECK(text.find("diffusers model in " + (fixture() / "model").string()) != std::string::npos);
    CHECK(text.find("\ntransformer: ") != std::string::npos);
    CHECK(text.find("\ntext_encoder: ") != std::string::npos);
    CHECK(text.find("check: every tensor the config calls for is present") != std::string::npos);
}

TEST_CASE(brokenPartIsReportedNotThrown) {
    const auto root = zimage::test::tempDir("inspectBroken");
    zimage::test::symlinkTree(fixture() / "model", root, [](const fs::path& relative) {
        return relative == "vae/diffusion_pytorch_model.safetensors";
    });
    const std::vector<std::byte> stray(16);
    zimage::test::writeCollection(io::TensorCollection::fromPath(fixture() / "model" / "vae"),
                                  root / "vae" / "diffusion_pytorch_model.safetensors", [&](auto& tensors) {
                                      tensors.push_back({"decoder.stray.weight", io::DType::F32, {4}, stray});
                                  });
    const json report = io::inspectPath(root);
    const json& vae = report["parts"]["vae"];
    REQUIRE(vae["problems"].is_string());
    CHECK(vae["problems"].get<std::string>().find("decoder.stray.weight [4] F32") != std::string::npos);
    CHECK(io::formatInspectReport(report).find("  problems:\n") != std::string::npos);
}

TEST_CASE(inspectErrors) {
    const auto dir = zimage::test::tempDir("inspectErrors");
    CHECK_THROWS_WITH(io::inspectPath(dir / "absent.safetensors"), EngineError, "does not exist");
    std::ofstream(dir / "notes.txt") << "hello";
    CHECK_THROWS_WITH(io::inspectPath(dir / "notes.txt"), EngineError, "is not a checkpoint");
    std::ofstream(dir / "bad.safetensors") << "hello";
    CHECK_THROWS_WITH(io::inspectPath(dir / "bad.safetensors"), EngineError, (dir / "bad.safetensors").string());
    const auto empty = zimage::test::tempDir("inspectEmpty");
    CHECK_THROWS_WITH(io::inspectPath(empty), EngineError, "is not a Z-Image model folder");
}
