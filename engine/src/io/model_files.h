#pragma once
// A located model opened for loading: each part's tensors under diffusers / transformers names, its config (read from
// config.json, or inferred from the tensor shapes where there is none), and the layout it was stored in. Only the
// safetensors headers are read here, so this is fast even for the 20 GB real model; every part is checked against the
// tensors its config calls for before anything is loaded.

#include "io/model_config.h"
#include "io/tensor_collection.h"

#include <zimage/model_source.h>

#include <filesystem>
#include <string>

namespace zimage::io {

struct ModelFiles {
    TensorCollection transformer, textEncoder, vae;
    TransformerConfig transformerConfig;
    TextEncoderConfig textEncoderConfig;
    VaeConfig vaeConfig;
    SchedulerConfig schedulerConfig;
    std::string transformerLayout; // layoutName(TransformerLayout): "diffusers" or "comfyui"
    std::string vaeLayout;         // "diffusers" or "ldm"
    std::string textEncoderLayout; // "transformers" or "unprefixed"
};

// Opens, maps and checks every part. Throws EngineError(ModelFiles) whose message is the underlying problem (an
// IoError's text: the file, the tensors, what they look like) and whose hint says what to do.
ModelFiles openModelFiles(const ModelSource& source);

// One part, opened and mapped but not checked (inspect shows broken files too). `configJson` may be empty: then the
// config is the real model's, corrected by the tensor shapes. Throw IoError.
template <typename Config>
struct ModelPart {
    TensorCollection tensors; // diffusers / transformers names
    Config config;
    std::string layout;
    bool configInferred = false;
};
ModelPart<TransformerConfig> readTransformerPart(const std::filesystem::path& weights,
                                                 const std::filesystem::path& configJson);
ModelPart<VaeConfig> readVaePart(const std::filesystem::path& weights, const std::filesystem::path& configJson);
ModelPart<TextEncoderConfig> readTextEncoderPart(const std::filesystem::path& weights,
                                                 const std::filesystem::path& configJson);

// The same parts from collections already opened (inspect of single files).
ModelPart<TransformerConfig> mapTransformerPart(const TensorCollection& stored,
                                                const std::filesystem::path& configJson);
ModelPart<VaeConfig> mapVaePart(const TensorCollection& stored, const std::filesystem::path& configJson);
ModelPart<TextEncoderConfig> mapTextEncoderPart(const TensorCollection& stored,
                                                const std::filesystem::path& configJson);

} // namespace zimage::io
