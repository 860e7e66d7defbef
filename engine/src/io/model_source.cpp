// locateModel(): finding Z-Image-Turbo's parts in a diffusers folder, the Hugging Face cache or a ComfyUI models
// folder. Only the presence of files is checked here (and that every shard an index lists exists); reading and
// checking the tensors is openModelFiles()'s job.

#include "io/model_source_parts.h"

#include <zimage/errors.h>
#include <zimage/model_source.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>

namespace zimage {
namespace {

namespace fs = std::filesystem;
using io::detail::isDirectory;
using io::detail::isFile;
using io::detail::LocateRequest;
using io::detail::Part;
using io::detail::PartProblem;

constexpr std::string_view kRepoFolder = "models--Tongyi-MAI--Z-Image-Turbo";

// The shard files an index lists that are absent (a dangling Hugging Face symlink counts as absent: its blob was
// never downloaded).
std::vector<std::string> missingShards(const fs::path& indexPath) {
    nlohmann::json index;
    try {
        std::ifstream in(indexPath, std::ios::binary);
        index = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& error) {
        return {indexPath.string() + " cannot be read: " + error.what()};
    }
    std::set<std::string> shards;
    if (const auto map = index.find("weight_map"); map != index.end() && map->is_object())
        for (const auto& [name, shard] : map->items())
            if (shard.is_string())
                shards.insert(shard.get<std::string>());
    std::vector<std::string> missing;
    for (const auto& shard : shards)
        if (!isFile(indexPath.parent_path() / shard))
            missing.push_back((indexPath.parent_path() / shard).string() + " is missing (listed in " +
                              indexPath.filename().string() + ")");
    return missing;
}

// A diffusers part's weights: "<stem>.safetensors.index.json" (sharded) or "<stem>.safetensors".
void findDiffusersWeights(const fs::path& folder, std::string_view stem, Part part, fs::path& weights,
                          std::vector<PartProblem>& problems) {
    const fs::path index = folder / (std::string(stem) + ".safetensors.index.json");
    const fs::path single = folder / (std::string(stem) + ".safetensors");
    if (isFile(index)) {
        weights = index;
        for (auto& problem : missingShards(index))
            problems.push_back({part, std::move(problem)});
    } else if (isFile(single)) {
        weights = single;
    } else {
        problems.push_back({part, "neither " + index.string() + " nor " + single.string() + " exists"});
    }
}

fs::path existingOrEmpty(const fs::path& path) {
    return isFile(path) ? path : fs::path();
}

// The parts of a diffusers folder, and what is missing from it.
ModelSource diffusersSource(const fs::path& root, std::vector<PartProblem>& problems) {
    ModelSource source;
    source.layout = ModelLayout::Diffusers;
    source.root = root;
    findDiffusersWeights(root / "transformer", "diffusion_pytorch_model", Part::Transformer, source.transformer,
                         problems);
    findDiffusersWeights(root / "text_encoder", "model", Part::TextEncoder, source.textEncoder, problems);
    findDiffusersWeights(root / "vae", "diffusion_pytorch_model", Part::Vae, source.vae, problems);
    if (io::detail::isTokenizerFolder(root / "tokenizer"))
        source.tokenizer = root / "tokenizer";
    else
        problems.push_back({Part::Tokenizer, (root / "tokenizer").string() +
                                                 " holds neither tokenizer.json nor vocab.json + merges.txt"});
    source.transformerConfig = existingOrEmpty(root / "transformer" / "config.json");
    source.textEncoderConfig = existingOrEmpty(root / "text_encoder" / "config.json");
    source.vaeConfig = existingOrEmpty(root / "vae" / "config.json");
    source.schedulerConfig = existingOrEmpty(root / "scheduler" / "scheduler_config.json");
    return source;
}

// --- Hugging Face cache ---

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// The Z-Image repo folders (models--<org>--<name>) of a hub folder, Tongyi-MAI/Z-Image-Turbo first.
std::vector<fs::path> zimageRepoFolders(const fs::path& hub) {
    std::vector<fs::path> repos;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(hub, error)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("models--") && lowercase(name).find("z-image") != std::string::npos &&
            isDirectory(entry.path()))
            repos.push_back(entry.path());
    }
    std::sort(repos.begin(), repos.end(), [](const fs::path& a, const fs::path& b) {
        const bool aTurbo = a.filename() == kRepoFolder, bTurbo = b.filename() == kRepoFolder;
        return aTurbo != bTurbo ? aTurbo : a < b;
    });
    return repos;
}

bool isHubFolder(const fs::path& path) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(path, error))
        if (entry.path().filename().string().starts_with("models--"))
            return true;
    return false;
}

std::string readRef(const fs::path& repo) {
    std::ifstream in(repo / "refs" / "main");
    std::string revision;
    std::getline(in, revision);
    return revision;
}

// The snapshot to use: the one refs/main names if complete, else the newest complete one. Throws listing every
// snapshot's gaps when none is complete.
ModelSource locateInRepo(const fs::path& repo, const LocateRequest& overrides) {
    std::vector<fs::path> snapshots;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(repo / "snapshots", error))
        if (isDirectory(entry.path()))
            snapshots.push_back(entry.path());
    const std::string mainRevision = readRef(repo);
    const auto modified = [](const fs::path& path) {
        std::error_code ignored;
        return fs::last_write_time(path, ignored);
    };
    std::sort(snapshots.begin(), snapshots.end(), [&](const fs::path& a, const fs::path& b) {
        const bool aMain = a.filename() == mainRevision, bMain = b.filename() == mainRevision;
        return aMain != bMain ? aMain : modified(a) > modified(b);
    });
    std::string gaps;
    for (const auto& snapshot : snapshots) {
        std::vector<PartProblem> problems;
        ModelSource source = diffusersSource(snapshot, problems);
        source.root = snapshot;
        io::detail::applyOverrides(source, overrides);
        const auto remaining = io::detail::unresolved(problems, overrides);
        if (remaining.empty()) {
            if (auto logger = spdlog::get("io"); logger && !gaps.empty())
                logger->warn("using snapshot {} of {}; the others are incomplete:{}", snapshot.filename().string(),
                             repo.string(), gaps);
            return source;
        }
        gaps += "\n  snapshot " + snapshot.filename().string() + ":" + io::detail::listProblems(remaining, "    ");
    }
    if (snapshots.empty())
        gaps = "\n  " + (repo / "snapshots").string() + " holds no snapshot";
    throw EngineError(ErrorCode::ModelFiles, "No complete download of the model in " + repo.string() + gaps,
                      "The download is incomplete: run `huggingface-cli download Tongyi-MAI/Z-Image-Turbo` again "
                      "to finish it.");
}

ModelSource locateInHub(const fs::path& hub, const LocateRequest& overrides) {
    const auto repos = zimageRepoFolders(hub);
    if (repos.empty())
        throw EngineError(ErrorCode::ModelFiles,
                          "The Hugging Face cache " + hub.string() + " holds no " + std::string(kRepoFolder),
                          io::detail::downloadHint());
    // The first repo with a complete snapshot; when none has one, the first repo's (the Turbo's) error.
    std::optional<EngineError> firstError;
    for (const auto& repo : repos) {
        try {
            return locateInRepo(repo, overrides);
        } catch (const EngineError& error) {
            if (!firstError)
                firstError = error;
        }
    }
    throw *firstError;
}

// --- dispatch ---

ModelSource locateDiffusers(const fs::path& root, const LocateRequest& overrides) {
    std::vector<PartProblem> problems;
    ModelSource source = diffusersSource(root, problems);
    io::detail::applyOverrides(source, overrides);
    const auto remaining = io::detail::unresolved(problems, overrides);
    if (!remaining.empty())
        throw EngineError(ErrorCode::ModelFiles,
                          "The model folder " + root.string() +
                              " is incomplete:" + io::detail::listProblems(remaining, "  "),
                          io::detail::downloadHint());
    return source;
}

// A path that is one of our forms, or nullopt.
std::optional<ModelSource> locateAt(const fs::path& path, const LocateRequest& overrides) {
    if (isFile(path))
        return io::detail::locateFromDitFile(path, overrides);
    if (isFile(path / "model_index.json"))
        return locateDiffusers(path, overrides);
    if (isDirectory(path / "snapshots"))
        return locateInRepo(path, overrides);
    if (path.parent_path().filename() == "snapshots")
        return locateDiffusers(path, overrides); // a snapshot without model_index.json: say what is missing
    if (isHubFolder(path))
        return locateInHub(path, overrides);
    if (isDirectory(path / "hub") && isHubFolder(path / "hub"))
        return locateInHub(path / "hub", overrides); // $HF_HOME
    return io::detail::locateComfy(path, overrides);
}

bool everyPartOverridden(const ModelOverrides& overrides) {
    return !overrides.transformer.empty() && !overrides.textEncoder.empty() && !overrides.vae.empty() &&
           !overrides.tokenizer.empty();
}

ModelSource searchDefaults(const LocateRequest& overrides) {
    std::string looked;
    for (const auto& candidate : defaultModelSearchPaths()) {
        if (!fs::exists(candidate))
            continue;
        try {
            if (auto source = locateAt(candidate, overrides))
                return *source;
            looked += "\n  " + candidate.string() + ": not a model folder";
        } catch (const EngineError& error) {
            looked += "\n  " + candidate.string() + ": " + error.what();
        }
    }
    std::string paths;
    for (const auto& candidate : defaultModelSearchPaths())
        paths += "\n  " + candidate.string();
    throw EngineError(ErrorCode::ModelFiles,
                      "No Z-Image-Turbo model found. Looked in:" + paths +
                          (looked.empty() ? std::string() : "\nWhat was there:" + looked),
                      io::detail::downloadHint());
}

std::string partLine(std::string_view label, const fs::path& path, const fs::path& config) {
    std::string line = "\n  " + std::string(label) + ": " + path.string();
    if (!config.empty())
        line += " (config " + config.string() + ")";
    return line;
}

} // namespace

std::string_view layoutName(ModelLayout layout) {
    return layout == ModelLayout::ComfySplit ? "comfyui" : "diffusers";
}

std::string ModelSource::describe() const {
    std::string text = std::string(layoutName(layout)) + " model in " + root.string();
    text += partLine("transformer", transformer, transformerConfig);
    text += partLine("text encoder", textEncoder, textEncoderConfig);
    text += partLine("vae", vae, vaeConfig);
    text += partLine("tokenizer", tokenizer, {});
    text +=
        "\n  scheduler: " + (schedulerConfig.empty() ? std::string("defaults (shift 3.0)") : schedulerConfig.string());
    if (transformerConfig.empty() || textEncoderConfig.empty() || vaeConfig.empty())
        text += "\n  (parts without a config.json take their sizes from the tensor shapes)";
    return text;
}

ModelSource locateModel(const std::filesystem::path& path, const ModelOverrides& overrides) {
    io::detail::checkOverridesExist(overrides);
    LocateRequest request;
    static_cast<ModelOverrides&>(request) = overrides;
    if (path.empty() && everyPartOverridden(overrides)) {
        ModelSource source;
        source.layout = ModelLayout::ComfySplit;
        io::detail::applyOverrides(source, overrides);
        source.root = source.transformer.parent_path();
        return source;
    }
    if (path.empty())
        return searchDefaults(request);
    return io::detail::locateExisting(path, request);
}

std::vector<std::filesystem::path> defaultModelSearchPaths() {
    const auto env = [](const char* name) -> fs::path {
        const char* value = std::getenv(name);
        return value && *value ? fs::path(value) : fs::path();
    };
    const fs::path home = env("HOME");
    std::vector<fs::path> paths;
    // huggingface_hub's own order: HF_HUB_CACHE, else HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub.
    if (const fs::path hubCache = env("HF_HUB_CACHE"); !hubCache.empty())
        paths.push_back(hubCache);
    else if (const fs::path hfHome = env("HF_HOME"); !hfHome.empty())
        paths.push_back(hfHome / "hub");
    else if (const fs::path xdg = env("XDG_CACHE_HOME"); !xdg.empty())
        paths.push_back(xdg / "huggingface" / "hub");
    else if (!home.empty())
        paths.push_back(home / ".cache" / "huggingface" / "hub");
    if (!home.empty())
        for (const char* comfy : {"ComfyUI", "comfyui", "Documents/ComfyUI"})
            paths.push_back(home / comfy);
    return paths;
}

namespace io::detail {

ModelSource locateExisting(const std::filesystem::path& path, const LocateRequest& request) {
    if (!fs::exists(path))
        throw EngineError(ErrorCode::ModelFiles, "The model path " + path.string() + " does not exist", downloadHint());
    if (auto source = locateAt(path, request))
        return *source;
    throw EngineError(ErrorCode::ModelFiles,
                      path.string() +
                          " is not a Z-Image model folder. Looked for model_index.json (a diffusers folder), "
                          "snapshots/ or models--Tongyi-MAI--Z-Image-Turbo (the Hugging Face cache), and "
                          "diffusion_models/, text_encoders/, vae/ or models/ (ComfyUI).",
                      downloadHint());
}

ModelSource locateModelWeights(const std::filesystem::path& path) {
    LocateRequest request;
    request.requireTokenizer = false;
    return locateExisting(path, request);
}

} // namespace io::detail

} // namespace zimage
