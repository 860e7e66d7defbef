#include "io/model_files.h"

#include "io/expected_tensors.h"
#include "io/io_error.h"
#include "io/name_mapping.h"

#include <zimage/errors.h>

#include <spdlog/spdlog.h>

namespace zimage::io {
namespace {

// What to do about a part that does not open or does not check out.
std::string partHint(std::string_view part) {
    const std::string redownload =
        " If the files are damaged or incomplete, download them again (`huggingface-cli download "
        "Tongyi-MAI/Z-Image-Turbo`).";
    if (part == "transformer")
        return "The transformer must be Z-Image-Turbo's DiT: the transformer/ folder of the diffusers download or "
               "ComfyUI's z_image_turbo_bf16.safetensors." +
               redownload;
    if (part == "text encoder")
        return "The text encoder must be Qwen3-4B as Z-Image ships it: the text_encoder/ folder of the diffusers "
               "download or ComfyUI's qwen_3_4b.safetensors." +
               redownload;
    if (part == "vae")
        return "The VAE must be the 16-channel Flux VAE: the vae/ folder of the diffusers download or ComfyUI's "
               "ae.safetensors." +
               redownload;
    return redownload.substr(1);
}

// One line per part in the log: which files, which layout, and whether the config was guessed from the shapes.
template <typename Config>
void logPart(std::string_view name, const std::filesystem::path& weights, const ModelPart<Config>& part) {
    if (auto logger = spdlog::get("io"))
        logger->info("{}: {} ({} layout, {} tensors, config {})", name, weights.string(), part.layout,
                     part.tensors.size(), part.configInferred ? "inferred from the tensor shapes" : "from config.json");
}

// Runs one step of opening a part; an IoError becomes the EngineError the API lets out.
template <typename Function>
auto forPart(std::string_view part, Function&& function) {
    try {
        return function();
    } catch (const IoError& error) {
        throw EngineError(ErrorCode::ModelFiles, error.what(), partHint(part));
    }
}

} // namespace

ModelPart<TransformerConfig> mapTransformerPart(const TensorCollection& stored,
                                                const std::filesystem::path& configJson) {
    ModelPart<TransformerConfig> part;
    const TransformerLayout layout = detectTransformerLayout(stored);
    part.layout = layoutName(layout);
    // The fused qkv can only be split once the head counts are known, and a ComfyUI file has no config.json.
    const TensorCollection renamed = layout == TransformerLayout::Comfy ? renameComfyTransformer(stored) : stored;
    part.configInferred = configJson.empty();
    part.config = part.configInferred ? inferTransformerConfig(renamed) : readTransformerConfig(configJson);
    part.tensors = layout == TransformerLayout::Comfy ? splitFusedQkv(renamed, part.config) : renamed;
    return part;
}

ModelPart<VaeConfig> mapVaePart(const TensorCollection& stored, const std::filesystem::path& configJson) {
    ModelPart<VaeConfig> part;
    const VaeLayout layout = detectVaeLayout(stored);
    part.layout = layoutName(layout);
    part.tensors = layout == VaeLayout::Ldm ? mapLdmVae(stored) : stored;
    part.configInferred = configJson.empty();
    part.config = part.configInferred ? inferVaeConfig(part.tensors) : readVaeConfig(configJson);
    return part;
}

ModelPart<TextEncoderConfig> mapTextEncoderPart(const TensorCollection& stored,
                                                const std::filesystem::path& configJson) {
    ModelPart<TextEncoderConfig> part;
    const TextEncoderLayout layout = detectTextEncoderLayout(stored);
    part.layout = layoutName(layout);
    part.tensors = layout == TextEncoderLayout::Unprefixed ? normalizeTextEncoder(stored) : stored;
    part.configInferred = configJson.empty();
    part.config = part.configInferred ? inferTextEncoderConfig(part.tensors) : readTextEncoderConfig(configJson);
    // Some exports store the tied output projection anyway; the engine never computes logits, so it is dropped
    // rather than reported as unexpected.
    if (part.config.tieWordEmbeddings && part.tensors.contains("lm_head.weight"))
        part.tensors =
            filteredCollection(part.tensors, [](const std::string& name) { return name != "lm_head.weight"; });
    return part;
}

ModelPart<TransformerConfig> readTransformerPart(const std::filesystem::path& weights,
                                                 const std::filesystem::path& configJson) {
    return mapTransformerPart(TensorCollection::fromPath(weights), configJson);
}

ModelPart<VaeConfig> readVaePart(const std::filesystem::path& weights, const std::filesystem::path& configJson) {
    return mapVaePart(TensorCollection::fromPath(weights), configJson);
}

ModelPart<TextEncoderConfig> readTextEncoderPart(const std::filesystem::path& weights,
                                                 const std::filesystem::path& configJson) {
    return mapTextEncoderPart(TensorCollection::fromPath(weights), configJson);
}

ModelFiles openModelFiles(const ModelSource& source) {
    ModelFiles files;
    auto transformer = forPart("transformer", [&] {
        auto part = readTransformerPart(source.transformer, source.transformerConfig);
        logPart("transformer", source.transformer, part);
        checkTensors(part.tensors, expectedTransformerTensors(part.config), "transformer");
        return part;
    });
    auto textEncoder = forPart("text encoder", [&] {
        auto part = readTextEncoderPart(source.textEncoder, source.textEncoderConfig);
        logPart("text encoder", source.textEncoder, part);
        checkTensors(part.tensors, expectedTextEncoderTensors(part.config), "text encoder");
        return part;
    });
    auto vae = forPart("vae", [&] {
        auto part = readVaePart(source.vae, source.vaeConfig);
        logPart("vae", source.vae, part);
        checkTensors(part.tensors, expectedVaeTensors(part.config), "vae");
        return part;
    });
    files.schedulerConfig = forPart("scheduler", [&] {
        return source.schedulerConfig.empty() ? SchedulerConfig{} : readSchedulerConfig(source.schedulerConfig);
    });
    files.transformer = std::move(transformer.tensors);
    files.transformerConfig = transformer.config;
    files.transformerLayout = std::move(transformer.layout);
    files.textEncoder = std::move(textEncoder.tensors);
    files.textEncoderConfig = textEncoder.config;
    files.textEncoderLayout = std::move(textEncoder.layout);
    files.vae = std::move(vae.tensors);
    files.vaeConfig = vae.config;
    files.vaeLayout = std::move(vae.layout);
    return files;
}

} // namespace zimage::io
