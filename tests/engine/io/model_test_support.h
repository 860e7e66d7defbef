#pragma once
// Model folders for the tests of locateModel / openModelFiles / inspect, built in a temp folder from the tiny fixture:
// symlinked copies of its diffusers folder (as the Hugging Face cache stores snapshots) and ComfyUI folders holding
// its comfy/ files plus the text encoder merged into one file, as ComfyUI ships qwen_3_4b.safetensors.

#include "io/safetensors_writer.h"
#include "io/tensor_collection.h"
#include "test_harness.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace zimage::test {

// Mirrors every file below `from` into `to` as symlinks, skipping files for which `skip` (relative path) is true.
inline void symlinkTree(const std::filesystem::path& from, const std::filesystem::path& to,
                        const std::function<bool(const std::filesystem::path&)>& skip = {}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(from)) {
        const auto relative = std::filesystem::relative(entry.path(), from);
        if (entry.is_directory()) {
            std::filesystem::create_directories(to / relative);
        } else if (!skip || !skip(relative)) {
            std::filesystem::create_directories((to / relative).parent_path());
            std::filesystem::create_symlink(std::filesystem::absolute(entry.path()), to / relative);
        }
    }
}

// Rewrites the tensors of `source` into one file, names as they are; `edit` may change the list before writing.
inline void writeCollection(const io::TensorCollection& source, const std::filesystem::path& path,
                            const std::function<void(std::vector<io::TensorToWrite>&)>& edit = {}) {
    std::vector<io::TensorToWrite> tensors;
    for (const auto& [name, ref] : source)
        tensors.push_back({name, ref.dtype, ref.shape, ref.bytes()});
    if (edit)
        edit(tensors);
    std::filesystem::create_directories(path.parent_path());
    io::writeSafetensors(path, tensors);
}

// The fixture's two text-encoder shards merged into one file (ComfyUI's text_encoders/qwen_3_4b.safetensors).
inline void writeMergedTextEncoder(const std::filesystem::path& path) {
    writeCollection(io::TensorCollection::fromPath(fixtureDir() / "model" / "text_encoder"), path);
}

// <install>/models/{diffusion_models,text_encoders,vae} with the fixture's comfy/ files; with `bundledTokenizer`,
// also <install>/comfy/text_encoders/qwen25_tokenizer (vocab.json + merges.txt, as ComfyUI bundles it).
inline std::filesystem::path makeComfyInstall(const std::filesystem::path& install, bool bundledTokenizer) {
    const auto models = install / "models";
    const auto comfy = fixtureDir() / "comfy";
    std::filesystem::create_directories(models / "diffusion_models");
    std::filesystem::create_directories(models / "vae");
    std::filesystem::create_symlink(comfy / "z_image_tiny_bf16.safetensors",
                                    models / "diffusion_models" / "z_image_tiny_bf16.safetensors");
    std::filesystem::create_symlink(comfy / "ae_tiny.safetensors", models / "vae" / "ae.safetensors");
    writeMergedTextEncoder(models / "text_encoders" / "qwen_3_4b.safetensors");
    if (bundledTokenizer) {
        const auto tokenizer = install / "comfy" / "text_encoders" / "qwen25_tokenizer";
        std::filesystem::create_directories(tokenizer);
        std::ofstream(tokenizer / "vocab.json") << "{}";
        std::ofstream(tokenizer / "merges.txt") << "#version: 0.2\n";
    }
    return models;
}

} // namespace zimage::test
