// locateModel() on the layouts users have (REFERENCE.md "Checkpoint layouts to accept"), built from the tiny fixture:
// its diffusers folder as is, a Hugging Face cache of symlinks, ComfyUI folders; and the errors for incomplete or
// wrong folders. Expected paths are the fixture's own files.

#include "io/model_files.h"
#include "model_test_support.h"
#include "test_harness.h"

#include <zimage/errors.h>
#include <zimage/model_source.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>

using namespace zimage;
namespace fs = std::filesystem;

namespace {

fs::path fixtureModel() {
    return fs::absolute(zimage::test::fixtureDir() / "model");
}

// Sets an environment variable for one test case and restores it after.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value)
        : m_name(name) {
        if (const char* old = std::getenv(name))
            m_old = old;
        if (value.empty())
            ::unsetenv(name);
        else
            ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (m_old)
            ::setenv(m_name, m_old->c_str(), 1);
        else
            ::unsetenv(m_name);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

// hub/models--Tongyi-MAI--Z-Image-Turbo with snapshot "aaaa" complete and the newer "bbbb", which refs/main names,
// lacking a transformer shard (an interrupted update).
fs::path makeHfCache(const fs::path& hfHome) {
    const auto repo = hfHome / "hub" / "models--Tongyi-MAI--Z-Image-Turbo";
    zimage::test::symlinkTree(fixtureModel(), repo / "snapshots" / "aaaa");
    zimage::test::symlinkTree(fixtureModel(), repo / "snapshots" / "bbbb", [](const fs::path& relative) {
        return relative == fs::path("transformer/diffusion_pytorch_model-00002-of-00002.safetensors");
    });
    fs::create_directories(repo / "refs");
    std::ofstream(repo / "refs" / "main") << "bbbb";
    return repo;
}

template <typename Function>
EngineError engineErrorOf(Function&& function) {
    try {
        function();
    } catch (const EngineError& error) {
        return error;
    }
    throw std::runtime_error("expected an EngineError");
}

} // namespace

TEST_CASE(diffusersFixtureFolder) {
    const auto model = fixtureModel();
    const ModelSource source = locateModel(model);
    CHECK(source.layout == ModelLayout::Diffusers);
    CHECK_EQ(source.root, model);
    CHECK_EQ(source.transformer, model / "transformer" / "diffusion_pytorch_model.safetensors.index.json");
    CHECK_EQ(source.textEncoder, model / "text_encoder" / "model.safetensors.index.json");
    CHECK_EQ(source.vae, model / "vae" / "diffusion_pytorch_model.safetensors");
    CHECK_EQ(source.tokenizer, model / "tokenizer");
    CHECK_EQ(source.transformerConfig, model / "transformer" / "config.json");
    CHECK_EQ(source.textEncoderConfig, model / "text_encoder" / "config.json");
    CHECK_EQ(source.vaeConfig, model / "vae" / "config.json");
    CHECK_EQ(source.schedulerConfig, model / "scheduler" / "scheduler_config.json");
    CHECK(source.describe().find("diffusers model in " + model.string()) != std::string::npos);
    CHECK_EQ(layoutName(ModelLayout::ComfySplit), std::string_view("comfyui"));
}

TEST_CASE(huggingFaceCachePicksTheCompleteSnapshot) {
    const auto hfHome = zimage::test::tempDir("hfCache");
    const auto repo = makeHfCache(hfHome);
    const auto complete = repo / "snapshots" / "aaaa";
    for (const auto& path : {hfHome, hfHome / "hub", repo, complete}) {
        const ModelSource source = locateModel(path);
        CHECK_EQ(source.root, complete);
        CHECK_EQ(source.transformer, complete / "transformer" / "diffusion_pytorch_model.safetensors.index.json");
    }
    // Auto-detection through HF_HOME, as huggingface_hub resolves it.
    const ScopedEnv hubCache("HF_HUB_CACHE", "");
    const ScopedEnv home("HF_HOME", hfHome.string());
    const auto paths = defaultModelSearchPaths();
    CHECK_EQ(paths.front(), hfHome / "hub");
    CHECK_EQ(locateModel({}).root, complete);
}

TEST_CASE(huggingFaceSnapshotMissingAShard) {
    const auto repo = makeHfCache(zimage::test::tempDir("hfIncomplete"));
    const auto error = engineErrorOf([&] { locateModel(repo / "snapshots" / "bbbb"); });
    CHECK(error.code() == ErrorCode::ModelFiles);
    CHECK(std::string(error.what()).find("diffusion_pytorch_model-00002-of-00002.safetensors is missing") !=
          std::string::npos);
    fs::remove_all(repo / "snapshots" / "aaaa");
    const auto none = engineErrorOf([&] { locateModel(repo); });
    CHECK(std::string(none.what()).find("No complete download of the model") != std::string::npos);
    CHECK(none.hint().find("huggingface-cli download Tongyi-MAI/Z-Image-Turbo") != std::string::npos);
}

TEST_CASE(hubCacheEnvironmentVariables) {
    const ScopedEnv hubCache("HF_HUB_CACHE", "/somewhere/hub");
    const auto withHubCache = defaultModelSearchPaths();
    CHECK_EQ(withHubCache.front(), fs::path("/somewhere/hub"));
    const ScopedEnv noHubCache("HF_HUB_CACHE", "");
    const ScopedEnv noHfHome("HF_HOME", "");
    const ScopedEnv xdg("XDG_CACHE_HOME", "");
    const ScopedEnv home("HOME", "/home/someone");
    const auto paths = defaultModelSearchPaths();
    CHECK_EQ(paths.front(), fs::path("/home/someone/.cache/huggingface/hub"));
    CHECK(std::find(paths.begin(), paths.end(), fs::path("/home/someone/ComfyUI")) != paths.end());
}

TEST_CASE(nothingFoundSaysWhereItLooked) {
    const auto home = zimage::test::tempDir("emptyHome");
    fs::create_directories(home / "hf" / "hub");
    const ScopedEnv hubCache("HF_HUB_CACHE", "");
    const ScopedEnv hfHome("HF_HOME", (home / "hf").string());
    const ScopedEnv homeDir("HOME", home.string());
    const auto error = engineErrorOf([] { locateModel({}); });
    const std::string message = error.what();
    CHECK(message.find("No Z-Image-Turbo model found. Looked in:") != std::string::npos);
    CHECK(message.find((home / "hf" / "hub").string()) != std::string::npos);
    CHECK(message.find((home / "ComfyUI").string()) != std::string::npos);
    CHECK(error.hint().find("huggingface-cli download Tongyi-MAI/Z-Image-Turbo") != std::string::npos);
}

TEST_CASE(comfyInstallWithBundledTokenizer) {
    const auto install = zimage::test::tempDir("comfyInstall") / "ComfyUI";
    const auto models = zimage::test::makeComfyInstall(install, true);
    for (const auto& path : {install, models}) {
        const ModelSource source = locateModel(path);
        CHECK(source.layout == ModelLayout::ComfySplit);
        CHECK_EQ(source.root, install);
        CHECK_EQ(source.transformer, models / "diffusion_models" / "z_image_tiny_bf16.safetensors");
        CHECK_EQ(source.textEncoder, models / "text_encoders" / "qwen_3_4b.safetensors");
        CHECK_EQ(source.vae, models / "vae" / "ae.safetensors");
        CHECK_EQ(source.tokenizer, install / "comfy" / "text_encoders" / "qwen25_tokenizer");
        CHECK(source.transformerConfig.empty());
        CHECK(source.textEncoderConfig.empty());
        CHECK(source.vaeConfig.empty());
    }
    // --model pointing at the DiT file finds the rest around it.
    const ModelSource fromFile = locateModel(models / "diffusion_models" / "z_image_tiny_bf16.safetensors");
    CHECK_EQ(fromFile.vae, models / "vae" / "ae.safetensors");
    CHECK_EQ(fromFile.tokenizer, install / "comfy" / "text_encoders" / "qwen25_tokenizer");
}

TEST_CASE(comfyModelsFolderNeedsATokenizer) {
    const auto models = zimage::test::makeComfyInstall(zimage::test::tempDir("comfyModels"), false);
    const auto error = engineErrorOf([&] { locateModel(models); });
    CHECK(std::string(error.what()).find("no tokenizer") != std::string::npos);
    CHECK(error.hint().find("--tokenizer") != std::string::npos);

    ModelOverrides overrides;
    overrides.tokenizer = fixtureModel() / "tokenizer";
    CHECK_EQ(locateModel(models, overrides).tokenizer, fixtureModel() / "tokenizer");
    // A tokenizer.json file stands for its folder.
    overrides.tokenizer = fixtureModel() / "tokenizer" / "tokenizer.json";
    CHECK_EQ(locateModel(models, overrides).tokenizer, fixtureModel() / "tokenizer");
}

TEST_CASE(comfyFolderMissingAPart) {
    const auto models = zimage::test::makeComfyInstall(zimage::test::tempDir("comfyMissingVae"), true);
    fs::remove(models / "vae" / "ae.safetensors");
    std::ofstream(models / "vae" / "sdxl_vae.safetensors") << "not a Z-Image VAE";
    const auto error = engineErrorOf([&] { locateModel(models); });
    CHECK(std::string(error.what()).find("no Flux VAE (ae.safetensors) in " + (models / "vae").string()) !=
          std::string::npos);
    CHECK(error.hint().find("ae.safetensors in vae/") != std::string::npos);
}

TEST_CASE(overridesReplaceParts) {
    const auto comfy = fs::absolute(zimage::test::fixtureDir() / "comfy");
    ModelOverrides overrides;
    overrides.vae = comfy / "ae_tiny.safetensors";
    const ModelSource source = locateModel(fixtureModel(), overrides);
    CHECK_EQ(source.vae, comfy / "ae_tiny.safetensors");
    CHECK(source.vaeConfig.empty()); // no config.json beside a ComfyUI file: inferred from the shapes
    CHECK_EQ(source.transformer, fixtureModel() / "transformer" / "diffusion_pytorch_model.safetensors.index.json");
    // A diffusers part folder as an override brings its config.json.
    overrides = {};
    overrides.transformer = fixtureModel() / "transformer";
    CHECK_EQ(locateModel(fixtureModel(), overrides).transformerConfig, fixtureModel() / "transformer" / "config.json");

    // Every part overridden: no model folder needed.
    overrides.transformer = comfy / "z_image_tiny_bf16.safetensors";
    overrides.vae = comfy / "ae_tiny.safetensors";
    overrides.textEncoder = fixtureModel() / "text_encoder";
    overrides.tokenizer = fixtureModel() / "tokenizer";
    const ModelSource split = locateModel({}, overrides);
    CHECK_EQ(split.transformer, overrides.transformer);
    CHECK_EQ(split.textEncoderConfig, fixtureModel() / "text_encoder" / "config.json");

    overrides.vae = comfy / "absent.safetensors";
    CHECK_THROWS_WITH(locateModel({}, overrides), EngineError,
                      "The vae path " + overrides.vae.string() + " does not exist");
}

TEST_CASE(emptyAndMissingFolders) {
    const auto empty = zimage::test::tempDir("emptyFolder");
    const auto error = engineErrorOf([&] { locateModel(empty); });
    CHECK(error.code() == ErrorCode::ModelFiles);
    CHECK(std::string(error.what()).find("is not a Z-Image model folder. Looked for model_index.json") !=
          std::string::npos);
    CHECK(error.hint().find("huggingface-cli download Tongyi-MAI/Z-Image-Turbo") != std::string::npos);
    CHECK_THROWS_WITH(locateModel(empty / "nothing"), EngineError, "does not exist");
}

TEST_CASE(diffusersFolderMissingAShard) {
    const auto root = zimage::test::tempDir("missingShard");
    zimage::test::symlinkTree(fixtureModel(), root, [](const fs::path& relative) {
        return relative == fs::path("text_encoder/model-00002-of-00002.safetensors");
    });
    CHECK_THROWS_WITH(locateModel(root), EngineError,
                      (root / "text_encoder" / "model-00002-of-00002.safetensors").string() +
                          " is missing (listed in model.safetensors.index.json)");
}

TEST_CASE(partWithWrongTensorsListsEveryProblem) {
    // A diffusers folder whose VAE lost decoder.conv_out.bias, gained a stray tensor, and has conv_in.bias [31].
    const auto root = zimage::test::tempDir("wrongTensors");
    zimage::test::symlinkTree(fixtureModel(), root,
                              [](const fs::path& relative) { return relative.parent_path() == "vae"; });
    fs::copy_file(fixtureModel() / "vae" / "config.json", root / "vae" / "config.json");
    const auto vae = io::TensorCollection::fromPath(fixtureModel() / "vae");
    const std::vector<std::byte> stray(16);
    zimage::test::writeCollection(vae, root / "vae" / "diffusion_pytorch_model.safetensors", [&](auto& tensors) {
        std::erase_if(tensors, [](const auto& tensor) { return tensor.name == "decoder.conv_out.bias"; });
        for (auto& tensor : tensors)
            if (tensor.name == "encoder.conv_in.bias") {
                tensor.shape = {31};
                tensor.data = tensor.data.first(31 * 4);
            }
        tensors.push_back({"decoder.stray.weight", io::DType::F32, {4}, stray});
    });
    const ModelSource source = locateModel(root);
    const auto error = engineErrorOf([&] { io::openModelFiles(source); });
    const std::string message = error.what();
    CHECK(error.code() == ErrorCode::ModelFiles);
    CHECK(message.find("1 missing, 1 unexpected, 1 with the wrong shape") != std::string::npos);
    CHECK(message.find("decoder.conv_out.bias [3]") != std::string::npos);
    CHECK(message.find("decoder.stray.weight [4] F32") != std::string::npos);
    CHECK(message.find("encoder.conv_in.bias: expected [32], found [31]") != std::string::npos);
    CHECK(error.hint().find("16-channel Flux VAE") != std::string::npos);
}
