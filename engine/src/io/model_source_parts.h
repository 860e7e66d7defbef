#pragma once
// Internals of locateModel() shared by model_source.cpp (diffusers, Hugging Face cache) and model_source_comfy.cpp
// (ComfyUI folders): which part a problem concerns, overrides, and the ComfyUI search.

#include <zimage/model_source.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zimage::io::detail {

enum class Part { Transformer, TextEncoder, Vae, Tokenizer };

// Something a layout lacks, e.g. "…/vae/diffusion_pytorch_model.safetensors does not exist". An override of that
// part makes the problem moot.
struct PartProblem {
    Part part;
    std::string text;
};

// What locateModel() was asked for: the overrides, and whether a missing tokenizer is an error (inspect looks at the
// weights only).
struct LocateRequest : ModelOverrides {
    bool requireTokenizer = true;
};

bool isFile(const std::filesystem::path& path);      // follows symlinks; false on any error
bool isDirectory(const std::filesystem::path& path); // likewise
// tokenizer.json, or vocab.json + merges.txt (the form ComfyUI bundles).
bool isTokenizerFolder(const std::filesystem::path& folder);

// Throws EngineError(ModelFiles) naming the option when an override path does not exist.
void checkOverridesExist(const ModelOverrides& overrides);
// Replaces every overridden part (and its config: a config.json beside the override, if any).
void applyOverrides(ModelSource& source, const ModelOverrides& overrides);
// The problems of parts that no override replaces.
std::vector<PartProblem> unresolved(const std::vector<PartProblem>& problems, const LocateRequest& request);
// One problem per line, each line starting with "\n" + indent.
std::string listProblems(const std::vector<PartProblem>& problems, std::string_view indent);

std::string downloadHint();

// A ComfyUI models folder (diffusion_models/, text_encoders/, vae/) or install (models/ below it); nullopt when
// `path` is neither. Throws EngineError(ModelFiles) listing what is missing when it is one but incomplete.
std::optional<ModelSource> locateComfy(const std::filesystem::path& path, const LocateRequest& request);
// --model pointing at a DiT file: the other parts come from the ComfyUI models folder around it, or overrides.
ModelSource locateFromDitFile(const std::filesystem::path& file, const LocateRequest& request);

// locateModel() for an existing, non-empty path (model_source.cpp).
ModelSource locateExisting(const std::filesystem::path& path, const LocateRequest& request);
// The same without requiring a tokenizer, for inspect: ModelSource::tokenizer may then be empty.
ModelSource locateModelWeights(const std::filesystem::path& path);

} // namespace zimage::io::detail
