#pragma once
// Building the networks on their device: from checkpoint files, or with random weights for benchmarks.

#include "io/model_files.h"
#include "pipeline.h"

#include <zimage/engine.h>

#include <filesystem>

namespace zimage {

// Creates the modules directly in the target dtype on the target device (no float32 host copy, no init) and fills
// them from the files. Only what text-to-image needs is built: the text encoder without its last layer and final
// norm, the VAE without its encoder.
LoadedModels loadModels(const io::ModelFiles& files, const ModelSource& source, const EngineOptions& options);

// The architecture of real_model_manifest.json's "configs", random N(0, 0.02) weights made on the device.
LoadedModels buildRandomModels(const std::filesystem::path& manifest, const std::filesystem::path& tokenizerFolder,
                               const EngineOptions& options);

} // namespace zimage
