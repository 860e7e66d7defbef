#pragma once
// Typed configs of the three networks and the scheduler, read from each part's config.json. Defaults are the real
// Z-Image-Turbo values (real_model_manifest.json "configs"), so a part without a config.json (ComfyUI single files)
// starts from them and then takes what its tensor shapes say (see inferFrom* in expected_tensors.h).
// Unknown keys are ignored.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace zimage::io {

// Qwen3 (transformers Qwen3Model).
struct TextEncoderConfig {
    std::int64_t vocabSize = 151936;
    std::int64_t hiddenSize = 2560;
    std::int64_t numLayers = 36;
    std::int64_t numHeads = 32;
    std::int64_t numKvHeads = 8;
    std::int64_t headDim = 128;
    std::int64_t intermediateSize = 9728;
    double rmsNormEps = 1e-6;
    double ropeTheta = 1e6; // "rope_theta" (older files) or "rope_parameters.rope_theta" (newer)
    bool tieWordEmbeddings = true;

    static TextEncoderConfig fromJson(const nlohmann::json& json);
};

// Z-Image single-stream DiT (diffusers ZImageTransformer2DModel).
struct TransformerConfig {
    std::int64_t dim = 3840;
    std::int64_t numLayers = 30;
    std::int64_t numRefinerLayers = 2;
    std::int64_t numHeads = 30;
    std::int64_t numKvHeads = 30;
    std::int64_t capFeatDim = 2560;
    std::int64_t inChannels = 16;
    std::int64_t patchSize = 2;  // all_patch_size[0]
    std::int64_t fPatchSize = 1; // all_f_patch_size[0]
    std::vector<std::int64_t> axesDims = {32, 48, 48};
    std::vector<std::int64_t> axesLens = {1536, 512, 512};
    double normEps = 1e-5;
    double ropeTheta = 256.0;
    double tScale = 1000.0;
    bool qkNorm = true;

    std::int64_t headDim() const { return dim / numHeads; }
    // The reference computes int(dim / 3 * 8) in floating point.
    std::int64_t ffnHidden() const { return static_cast<std::int64_t>(static_cast<double>(dim) / 3.0 * 8.0); }
    // Values per patch token: patch * patch * fPatch * channels (64 for the real model).
    std::int64_t patchValues() const { return patchSize * patchSize * fPatchSize * inChannels; }
    static TransformerConfig fromJson(const nlohmann::json& json);
};

// diffusers AutoencoderKL as Z-Image uses it (Flux VAE).
struct VaeConfig {
    std::int64_t inChannels = 3;
    std::int64_t outChannels = 3;
    std::int64_t latentChannels = 16;
    std::vector<std::int64_t> blockOutChannels = {128, 256, 512, 512};
    std::int64_t layersPerBlock = 2;
    std::int64_t normNumGroups = 32;
    double scalingFactor = 0.3611;
    double shiftFactor = 0.1159;
    bool midBlockAddAttention = true;
    bool useQuantConv = false;
    bool usePostQuantConv = false;

    static VaeConfig fromJson(const nlohmann::json& json);
};

// diffusers FlowMatchEulerDiscreteScheduler, static shift only (Z-Image-Turbo).
struct SchedulerConfig {
    double shift = 3.0;
    std::int64_t numTrainTimesteps = 1000;
    bool useDynamicShifting = false;

    static SchedulerConfig fromJson(const nlohmann::json& json);
};

// Reads and parses a config file; throws IoError naming the file and the bad key on missing files, invalid JSON or
// keys of the wrong type.
nlohmann::json readJsonFile(const std::filesystem::path& path);
TextEncoderConfig readTextEncoderConfig(const std::filesystem::path& configJson);
TransformerConfig readTransformerConfig(const std::filesystem::path& configJson);
VaeConfig readVaeConfig(const std::filesystem::path& configJson);
SchedulerConfig readSchedulerConfig(const std::filesystem::path& configJson);

} // namespace zimage::io
