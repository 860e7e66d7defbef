#pragma once
// Where a model's files are. Users have Z-Image-Turbo in one of three forms:
//  - a diffusers folder (model_index.json + transformer/, text_encoder/, vae/, tokenizer/, scheduler/),
//  - the Hugging Face cache (models--Tongyi-MAI--Z-Image-Turbo/snapshots/<rev>/, a diffusers folder of symlinks),
//  - ComfyUI split files (diffusion_models/*.safetensors, text_encoders/qwen_3_4b.safetensors, vae/ae.safetensors)
//    plus a tokenizer folder.
// Each part can be overridden by a path of its own.

#include <filesystem>
#include <string>
#include <vector>

namespace zimage {

enum class ModelLayout { Diffusers, ComfySplit };

// Any non-empty path replaces what locateModel() finds for that part.
struct ModelOverrides {
    std::filesystem::path transformer; // .safetensors, .safetensors.index.json, or a folder holding one
    std::filesystem::path textEncoder;
    std::filesystem::path vae;
    std::filesystem::path tokenizer; // folder with tokenizer.json, or vocab.json + merges.txt
};

struct ModelSource {
    ModelLayout layout = ModelLayout::Diffusers;
    std::filesystem::path root; // the folder the model was found in
    std::filesystem::path transformer;
    std::filesystem::path textEncoder;
    std::filesystem::path vae;
    std::filesystem::path tokenizer;
    // config.json of each part; empty where the layout has none (ComfyUI files): then the real model's defaults,
    // corrected by the tensor shapes, are used.
    std::filesystem::path transformerConfig;
    std::filesystem::path textEncoderConfig;
    std::filesystem::path vaeConfig;
    std::filesystem::path schedulerConfig;

    // Multi-line, human-readable: layout and the path of every part.
    std::string describe() const;
};

std::string_view layoutName(ModelLayout layout);

// Finds the model at `path` (a diffusers folder, a Hugging Face cache folder or repo folder, a ComfyUI models folder
// or ComfyUI install). An empty `path` searches defaultModelSearchPaths(). Throws EngineError(ModelFiles) that says
// what was looked for, where, and how to get the model.
ModelSource locateModel(const std::filesystem::path& path, const ModelOverrides& overrides = {});

// Where auto-detection looks, in order: $HF_HOME/hub (or ~/.cache/huggingface/hub) snapshots of
// Tongyi-MAI/Z-Image-Turbo, then common ComfyUI folders (~/ComfyUI/models, ...).
std::vector<std::filesystem::path> defaultModelSearchPaths();

} // namespace zimage
