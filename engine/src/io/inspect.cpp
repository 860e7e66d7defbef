#include "io/inspect.h"

#include "io/expected_tensors.h"
#include "io/io_error.h"
#include "io/model_files.h"
#include "io/model_source_parts.h"
#include "io/name_mapping.h"

#include <zimage/errors.h>
#include <zimage/model_source.h>

#include <algorithm>
#include <map>
#include <set>

namespace zimage::io {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json configJson(const TransformerConfig& config) {
    return {{"dim", config.dim},
            {"n_layers", config.numLayers},
            {"n_refiner_layers", config.numRefinerLayers},
            {"n_heads", config.numHeads},
            {"n_kv_heads", config.numKvHeads},
            {"head_dim", config.headDim()},
            {"ffn_hidden", config.ffnHidden()},
            {"cap_feat_dim", config.capFeatDim},
            {"in_channels", config.inChannels},
            {"all_patch_size", {config.patchSize}},
            {"all_f_patch_size", {config.fPatchSize}},
            {"axes_dims", config.axesDims},
            {"axes_lens", config.axesLens},
            {"norm_eps", config.normEps},
            {"rope_theta", config.ropeTheta},
            {"t_scale", config.tScale},
            {"qk_norm", config.qkNorm}};
}

json configJson(const VaeConfig& config) {
    return {{"in_channels", config.inChannels},
            {"out_channels", config.outChannels},
            {"latent_channels", config.latentChannels},
            {"block_out_channels", config.blockOutChannels},
            {"layers_per_block", config.layersPerBlock},
            {"norm_num_groups", config.normNumGroups},
            {"scaling_factor", config.scalingFactor},
            {"shift_factor", config.shiftFactor},
            {"mid_block_add_attention", config.midBlockAddAttention},
            {"use_quant_conv", config.useQuantConv},
            {"use_post_quant_conv", config.usePostQuantConv}};
}

json configJson(const TextEncoderConfig& config) {
    return {{"vocab_size", config.vocabSize},
            {"hidden_size", config.hiddenSize},
            {"num_hidden_layers", config.numLayers},
            {"num_attention_heads", config.numHeads},
            {"num_key_value_heads", config.numKvHeads},
            {"head_dim", config.headDim},
            {"intermediate_size", config.intermediateSize},
            {"rms_norm_eps", config.rmsNormEps},
            {"rope_theta", config.ropeTheta},
            {"tie_word_embeddings", config.tieWordEmbeddings}};
}

json configJson(const SchedulerConfig& config) {
    return {{"shift", config.shift},
            {"num_train_timesteps", config.numTrainTimesteps},
            {"use_dynamic_shifting", config.useDynamicShifting}};
}

// Counts over a collection: tensors, parameters, bytes and tensors per dtype.
void addTotals(json& out, const TensorCollection& tensors) {
    std::int64_t params = 0;
    std::uint64_t bytes = 0;
    std::map<std::string, std::int64_t> dtypes;
    for (const auto& [name, ref] : tensors) {
        params += ref.numel();
        bytes += ref.byteEnd - ref.byteBegin;
        ++dtypes[std::string(dtypeName(ref.dtype))];
    }
    out["tensor_count"] = tensors.size();
    out["total_params"] = params;
    out["total_bytes"] = bytes;
    out["dtypes"] = dtypes;
}

json fileList(const TensorCollection& tensors) {
    json files = json::array();
    for (const auto& file : tensors.files())
        files.push_back(file.string());
    return files;
}

json storedTensors(const TensorCollection& tensors) {
    json list = json::array();
    for (const auto& [name, ref] : tensors)
        list.push_back(
            {{"name", name}, {"dtype", dtypeName(ref.dtype)}, {"shape", ref.shape}, {"params", ref.numel()}});
    return list;
}

// After mapping: the stored tensor each name reads, its stored shape, and the row range when it is a slice of a fused
// tensor (ComfyUI's qkv).
json mappedTensors(const TensorCollection& tensors) {
    json list = json::array();
    for (const auto& [name, ref] : tensors) {
        json entry = {{"name", name}, {"dtype", dtypeName(ref.dtype)}, {"shape", ref.shape}};
        entry["stored_as"] = ref.storedName;
        const TensorInfo* stored = ref.file ? ref.file->find(ref.storedName) : nullptr;
        if (stored && stored->shape != ref.shape) {
            entry["stored_shape"] = stored->shape;
            const std::uint64_t rowBytes =
                ref.shape.empty() || ref.shape[0] == 0
                    ? 0
                    : (ref.byteEnd - ref.byteBegin) / static_cast<std::uint64_t>(ref.shape[0]);
            if (stored->byteSize() != ref.byteEnd - ref.byteBegin && rowBytes > 0) {
                const auto first = static_cast<std::int64_t>((ref.byteBegin - stored->dataBegin) / rowBytes);
                entry["stored_rows"] = {first, first + ref.shape[0]};
            }
        }
        list.push_back(std::move(entry));
    }
    return list;
}

// A mapped part: layout, config, tensors, and checkTensors' verdict.
template <typename Config, typename Expected>
void addPart(json& out, const ModelPart<Config>& part, const fs::path& configFile, Expected expected,
             std::string_view partName, std::string_view listKey) {
    out["layout"] = part.layout;
    out["config"] = configJson(part.config);
    out["config_inferred"] = part.configInferred;
    out["config_file"] = configFile.empty() ? json() : json(configFile.string());
    out[std::string(listKey)] = mappedTensors(part.tensors);
    out["problems"] = json();
    try {
        checkTensors(part.tensors, expected(part.config), partName);
    } catch (const IoError& error) {
        out["problems"] = error.what();
    }
}

fs::path configBeside(const fs::path& file) {
    std::error_code error;
    const fs::path config = file.parent_path() / "config.json";
    return fs::is_regular_file(config, error) ? config : fs::path();
}

json inspectCheckpoint(const fs::path& path) {
    const TensorCollection stored = TensorCollection::fromPath(path);
    json out = {{"kind", "checkpoint"}, {"path", path.string()}, {"files", fileList(stored)}};
    json metadata = json::object();
    std::set<const SafetensorsFile*> seen;
    for (const auto& [name, ref] : stored)
        if (seen.insert(ref.file.get()).second)
            for (const auto& [key, value] : ref.file->metadata())
                metadata.emplace(key, value);
    out["metadata"] = metadata;
    addTotals(out, stored);
    out["tensors"] = storedTensors(stored);
    const std::string looksLike = describeCheckpoint(stored);
    out["looks_like"] = looksLike.empty() ? json() : json(looksLike);
    out["part"] = json();
    const fs::path config = configBeside(path);
    if (detectTransformerLayout(stored) != TransformerLayout::Unknown) {
        out["part"] = "transformer";
        addPart(out, mapTransformerPart(stored, config), config, expectedTransformerTensors, "transformer",
                "diffusers");
    } else if (detectVaeLayout(stored) != VaeLayout::Unknown) {
        out["part"] = "vae";
        addPart(out, mapVaePart(stored, config), config, expectedVaeTensors, "vae", "diffusers");
    } else if (detectTextEncoderLayout(stored) != TextEncoderLayout::Unknown) {
        out["part"] = "text_encoder";
        addPart(out, mapTextEncoderPart(stored, config), config, expectedTextEncoderTensors, "text encoder",
                "diffusers");
    }
    return out;
}

template <typename Read, typename Expected>
json inspectPart(const fs::path& weights, const fs::path& config, Read read, Expected expected,
                 std::string_view partName) {
    json out = {{"weights", weights.string()}};
    try {
        const auto part = read(weights, config);
        out["files"] = fileList(part.tensors);
        addTotals(out, part.tensors);
        addPart(out, part, config, expected, partName, "tensors");
    } catch (const IoError& error) {
        out["error"] = error.what();
    }
    return out;
}

json inspectModel(const fs::path& path, const ModelSource& source) {
    json out = {{"kind", "model"},
                {"path", path.string()},
                {"layout", layoutName(source.layout)},
                {"root", source.root.string()},
                {"tokenizer", source.tokenizer.empty() ? json() : json(source.tokenizer.string())}};
    out["scheduler_file"] = source.schedulerConfig.empty() ? json() : json(source.schedulerConfig.string());
    try {
        out["scheduler"] = configJson(source.schedulerConfig.empty() ? SchedulerConfig{}
                                                                     : readSchedulerConfig(source.schedulerConfig));
    } catch (const IoError& error) {
        out["scheduler"] = {{"error", error.what()}};
    }
    json& parts = out["parts"];
    parts["transformer"] = inspectPart(source.transformer, source.transformerConfig, readTransformerPart,
                                       expectedTransformerTensors, "transformer");
    parts["text_encoder"] = inspectPart(source.textEncoder, source.textEncoderConfig, readTextEncoderPart,
                                        expectedTextEncoderTensors, "text encoder");
    parts["vae"] = inspectPart(source.vae, source.vaeConfig, readVaePart, expectedVaeTensors, "vae");
    return out;
}

bool isCheckpointName(const fs::path& path) {
    const std::string name = path.filename().string();
    return name.ends_with(".safetensors") || name.ends_with(".safetensors.index.json");
}

// A folder that is no model: every checkpoint directly in it (shards listed by an index only through the index).
json inspectFolder(const fs::path& path, const EngineError& notAModel) {
    std::vector<fs::path> indexes, files;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(path, error)) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with(".safetensors.index.json"))
            indexes.push_back(entry.path());
        else if (name.ends_with(".safetensors"))
            files.push_back(entry.path());
    }
    if (!indexes.empty())
        files = indexes;
    if (files.empty())
        throw notAModel;
    std::sort(files.begin(), files.end());
    json out = {{"kind", "folder"}, {"path", path.string()}, {"checkpoints", json::array()}};
    for (const auto& file : files)
        out["checkpoints"].push_back(inspectCheckpoint(file));
    return out;
}

} // namespace

nlohmann::json inspectPath(const std::filesystem::path& path) {
    std::error_code error;
    if (!fs::exists(path, error))
        throw EngineError(ErrorCode::ModelFiles, path.string() + " does not exist",
                          "Pass a .safetensors file, a .safetensors.index.json or a model folder.");
    try {
        if (!fs::is_directory(path, error)) {
            if (!isCheckpointName(path))
                throw EngineError(ErrorCode::ModelFiles,
                                  path.string() + " is not a checkpoint (.safetensors or .safetensors.index.json)",
                                  "Pass a .safetensors file, a .safetensors.index.json or a model folder.");
            return inspectCheckpoint(path);
        }
        try {
            return inspectModel(path, detail::locateModelWeights(path));
        } catch (const EngineError& notAModel) {
            return inspectFolder(path, notAModel);
        }
    } catch (const IoError& ioError) {
        throw EngineError(ErrorCode::ModelFiles, ioError.what(), "The file is damaged or not a safetensors file.");
    }
}

} // namespace zimage::io
