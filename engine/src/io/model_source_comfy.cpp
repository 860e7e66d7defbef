// The ComfyUI side of locateModel() and the helpers both sides share (see model_source_parts.h).

#include "io/model_source_parts.h"

#include <zimage/errors.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <tuple>

namespace zimage::io::detail {
namespace {

namespace fs = std::filesystem;

// ComfyUI lets users sort models into subfolders; deeper trees are not worth walking.
constexpr int kMaxSearchDepth = 2;

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

bool isDitName(const std::string& name) {
    return has(name, "z_image") || has(name, "z-image") || has(name, "zimage");
}

bool isTextEncoderName(const std::string& name) {
    return name.starts_with("qwen_3_4b") || (name.starts_with("qwen3") && has(name, "4b"));
}

bool isVaeName(const std::string& name) {
    const std::string stem = name.substr(0, name.size() - std::string_view(".safetensors").size());
    const bool aeStem = stem == "ae" || stem.starts_with("ae_") || stem.starts_with("ae-") || stem.starts_with("ae.");
    return aeStem || (has(stem, "flux") && has(stem, "ae")) || isDitName(stem);
}

// *.safetensors files below the given folders whose lowercased name `accept`s, best first: quantized variants
// (which the engine cannot load) last, then (for the DiT) Turbo before the base model, then by name.
std::vector<fs::path> findModelFiles(const std::vector<fs::path>& folders,
                                     const std::function<bool(const std::string&)>& accept, bool preferTurbo) {
    std::vector<fs::path> found;
    for (const auto& folder : folders) {
        if (!isDirectory(folder))
            continue;
        std::error_code error;
        const auto options =
            fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied;
        for (auto it = fs::recursive_directory_iterator(folder, options, error); !error && it != fs::end(it);
             it.increment(error)) {
            if (it.depth() >= kMaxSearchDepth)
                it.disable_recursion_pending();
            const std::string name = lowercase(it->path().filename().string());
            if (name.ends_with(".safetensors") && accept(name) && isFile(it->path()))
                found.push_back(it->path());
        }
    }
    const auto rank = [preferTurbo](const fs::path& path) {
        const std::string name = lowercase(path.filename().string());
        const bool quantized = has(name, "fp8") || has(name, "fp4") || has(name, "nf4") || has(name, "int8");
        return std::make_tuple(quantized, preferTurbo && !has(name, "turbo"), name);
    };
    std::sort(found.begin(), found.end(), [&](const fs::path& a, const fs::path& b) { return rank(a) < rank(b); });
    return found;
}

struct ComfyFolders {
    fs::path models;
    fs::path install; // empty when `models` is not inside a ComfyUI install
};

bool isModelsFolder(const fs::path& path) {
    return isDirectory(path / "diffusion_models") || isDirectory(path / "unet") ||
           (isDirectory(path / "text_encoders") && isDirectory(path / "vae"));
}

bool isInstall(const fs::path& path) {
    return isDirectory(path / "comfy") || isFile(path / "main.py");
}

std::optional<ComfyFolders> comfyFolders(const fs::path& path) {
    if (isModelsFolder(path))
        return ComfyFolders{path, isInstall(path.parent_path()) ? path.parent_path() : fs::path()};
    if (isModelsFolder(path / "models"))
        return ComfyFolders{path / "models", path};
    return std::nullopt;
}

std::string comfyHint() {
    return "Put z_image_turbo_bf16.safetensors in diffusion_models/, qwen_3_4b.safetensors in text_encoders/ and "
           "ae.safetensors in vae/ (from the Comfy-Org/z_image_turbo repository on Hugging Face), or use the "
           "diffusers download: `huggingface-cli download Tongyi-MAI/Z-Image-Turbo`.";
}

std::string tokenizerHint() {
    return "ComfyUI files carry no tokenizer: pass --tokenizer with a folder holding tokenizer.json, e.g. the "
           "tokenizer/ folder of `huggingface-cli download Tongyi-MAI/Z-Image-Turbo --include 'tokenizer/*'`.";
}

// Fills the parts found in a ComfyUI models folder; what is missing goes to `problems`.
void fillFromComfy(ModelSource& source, const ComfyFolders& folders, std::optional<Part> skip,
                   std::vector<PartProblem>& problems) {
    const fs::path& models = folders.models;
    const auto pick = [&](Part part, fs::path& target, std::vector<fs::path> places,
                          const std::function<bool(const std::string&)>& accept, std::string_view wanted) {
        if (part == skip)
            return;
        if (const auto files = findModelFiles(places, accept, part == Part::Transformer); !files.empty())
            target = files.front();
        else
            problems.push_back({part, "no " + std::string(wanted) + " in " + places.front().string()});
    };
    pick(Part::Transformer, source.transformer, {models / "diffusion_models", models / "unet"}, isDitName,
         "Z-Image DiT (a .safetensors file whose name contains z_image or z-image)");
    pick(Part::TextEncoder, source.textEncoder, {models / "text_encoders", models / "clip"}, isTextEncoderName,
         "Qwen3-4B text encoder (qwen_3_4b*.safetensors)");
    pick(Part::Vae, source.vae, {models / "vae"}, isVaeName, "Flux VAE (ae.safetensors)");
    const fs::path bundled = folders.install / "comfy" / "text_encoders" / "qwen25_tokenizer";
    if (!folders.install.empty() && isTokenizerFolder(bundled))
        source.tokenizer = bundled;
    else
        problems.push_back(
            {Part::Tokenizer, "no tokenizer (" +
                                  (folders.install.empty() ? models.string() + " is not inside a ComfyUI install"
                                                           : bundled.string() + " is missing") +
                                  ")"});
}

[[noreturn]] void throwIncomplete(const std::string& where, const std::vector<PartProblem>& remaining) {
    const bool onlyTokenizer = std::all_of(remaining.begin(), remaining.end(),
                                           [](const PartProblem& problem) { return problem.part == Part::Tokenizer; });
    throw EngineError(ErrorCode::ModelFiles, "The ComfyUI folder " + where + " lacks:" + listProblems(remaining, "  "),
                      onlyTokenizer ? tokenizerHint() : comfyHint());
}

fs::path configBeside(const fs::path& weights) {
    const fs::path folder = isDirectory(weights) ? weights : weights.parent_path();
    return isFile(folder / "config.json") ? folder / "config.json" : fs::path();
}

} // namespace

bool isFile(const std::filesystem::path& path) {
    std::error_code error;
    return fs::is_regular_file(path, error);
}

bool isDirectory(const std::filesystem::path& path) {
    std::error_code error;
    return fs::is_directory(path, error);
}

bool isTokenizerFolder(const std::filesystem::path& folder) {
    return isFile(folder / "tokenizer.json") || (isFile(folder / "vocab.json") && isFile(folder / "merges.txt"));
}

void checkOverridesExist(const ModelOverrides& overrides) {
    const std::array<std::pair<std::string_view, const fs::path*>, 4> parts = {{
        {"transformer", &overrides.transformer},
        {"text encoder", &overrides.textEncoder},
        {"vae", &overrides.vae},
        {"tokenizer", &overrides.tokenizer},
    }};
    for (const auto& [label, path] : parts) {
        std::error_code error;
        if (!path->empty() && !fs::exists(*path, error))
            throw EngineError(ErrorCode::ModelFiles,
                              "The " + std::string(label) + " path " + path->string() + " does not exist",
                              "Check the path given for the " + std::string(label) + ".");
    }
    const fs::path tokenizer = isFile(overrides.tokenizer) ? overrides.tokenizer.parent_path() : overrides.tokenizer;
    if (!overrides.tokenizer.empty() && !isTokenizerFolder(tokenizer))
        throw EngineError(ErrorCode::ModelFiles,
                          "The tokenizer folder " + tokenizer.string() +
                              " holds neither tokenizer.json nor vocab.json + merges.txt",
                          tokenizerHint());
}

void applyOverrides(ModelSource& source, const ModelOverrides& overrides) {
    if (!overrides.transformer.empty()) {
        source.transformer = overrides.transformer;
        source.transformerConfig = configBeside(overrides.transformer);
    }
    if (!overrides.textEncoder.empty()) {
        source.textEncoder = overrides.textEncoder;
        source.textEncoderConfig = configBeside(overrides.textEncoder);
    }
    if (!overrides.vae.empty()) {
        source.vae = overrides.vae;
        source.vaeConfig = configBeside(overrides.vae);
    }
    if (!overrides.tokenizer.empty())
        source.tokenizer = isFile(overrides.tokenizer) ? overrides.tokenizer.parent_path() : overrides.tokenizer;
}

std::vector<PartProblem> unresolved(const std::vector<PartProblem>& problems, const LocateRequest& overrides) {
    std::vector<PartProblem> remaining;
    for (const auto& problem : problems) {
        const bool overridden =
            (problem.part == Part::Transformer && !overrides.transformer.empty()) ||
            (problem.part == Part::TextEncoder && !overrides.textEncoder.empty()) ||
            (problem.part == Part::Vae && !overrides.vae.empty()) ||
            (problem.part == Part::Tokenizer && (!overrides.tokenizer.empty() || !overrides.requireTokenizer));
        if (!overridden)
            remaining.push_back(problem);
    }
    return remaining;
}

std::string listProblems(const std::vector<PartProblem>& problems, std::string_view indent) {
    std::string text;
    for (const auto& problem : problems)
        text += "\n" + std::string(indent) + problem.text;
    return text;
}

std::string downloadHint() {
    return "Download the model with `huggingface-cli download Tongyi-MAI/Z-Image-Turbo` (it lands in the Hugging Face "
           "cache, which is searched automatically), or point --model at a diffusers folder (with model_index.json), "
           "a Hugging Face cache folder, or a ComfyUI models folder.";
}

std::optional<ModelSource> locateComfy(const std::filesystem::path& path, const LocateRequest& overrides) {
    const auto folders = comfyFolders(path);
    if (!folders)
        return std::nullopt;
    ModelSource source;
    source.layout = ModelLayout::ComfySplit;
    source.root = folders->install.empty() ? folders->models : folders->install;
    std::vector<PartProblem> problems;
    fillFromComfy(source, *folders, std::nullopt, problems);
    applyOverrides(source, overrides);
    if (const auto remaining = unresolved(problems, overrides); !remaining.empty())
        throwIncomplete(folders->models.string(), remaining);
    return source;
}

ModelSource locateFromDitFile(const std::filesystem::path& file, const LocateRequest& overrides) {
    ModelSource source;
    source.layout = ModelLayout::ComfySplit;
    source.root = file.parent_path();
    source.transformer = file;
    source.transformerConfig = configBeside(file);
    std::vector<PartProblem> problems;
    // A file in models/diffusion_models/ (or a subfolder of it): the rest is in that models folder.
    std::optional<ComfyFolders> folders;
    fs::path folder = fs::absolute(file).parent_path();
    for (int level = 0; level <= kMaxSearchDepth + 1 && !folders && folder.has_relative_path();
         ++level, folder = folder.parent_path())
        if (isModelsFolder(folder))
            folders = comfyFolders(folder);
    if (folders) {
        source.root = folders->install.empty() ? folders->models : folders->install;
        fillFromComfy(source, *folders, Part::Transformer, problems);
    } else {
        const std::string why = " (" + file.string() + " is not inside a ComfyUI models folder)";
        problems = {{Part::TextEncoder, "no text encoder" + why},
                    {Part::Vae, "no VAE" + why},
                    {Part::Tokenizer, "no tokenizer" + why}};
    }
    applyOverrides(source, overrides);
    if (const auto remaining = unresolved(problems, overrides); !remaining.empty())
        throwIncomplete(source.root.string(), remaining);
    return source;
}

} // namespace zimage::io::detail
