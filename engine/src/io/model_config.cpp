#include "io/model_config.h"

#include "io/io_error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace zimage::io {
namespace {

using nlohmann::json;

// Where a config came from, for messages; fromJson() has no file, so it says "config.json".
const std::filesystem::path kUnnamedConfig = "config.json";

const char* typeName(const json& value) {
    if (value.is_number_integer() || value.is_number_unsigned())
        return "an integer";
    return value.type_name();
}

[[noreturn]] void wrongType(const std::filesystem::path& file, std::string_view key, std::string_view expected,
                            const json& value) {
    std::ostringstream problem;
    problem << "key '" << key << "' should be " << expected << ", found " << typeName(value) << " (" << value.dump()
            << ")";
    throw IoError(file, problem.str());
}

// A config value that is present and not null; JSON null means "not set" in diffusers configs (siglip_feat_dim).
const json* findValue(const json& object, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return nullptr;
    return &*it;
}

std::int64_t asInt(const std::filesystem::path& file, std::string_view key, const json& value) {
    if (value.is_number_integer() || value.is_number_unsigned())
        return value.get<std::int64_t>();
    // Some hand-written configs say 16.0; accept exact integers written as floats.
    if (value.is_number_float()) {
        const double number = value.get<double>();
        if (std::trunc(number) == number && std::fabs(number) < 9e15)
            return static_cast<std::int64_t>(number);
    }
    wrongType(file, key, "an integer", value);
}

class Reader {
public:
    Reader(const json& object, const std::filesystem::path& file)
        : m_object(object)
        , m_file(file) {
        if (!object.is_object())
            throw IoError(file, std::string("expected a JSON object, found ") + object.type_name());
    }

    void read(std::string_view key, std::int64_t& target) const {
        if (const json* value = findValue(m_object, key))
            target = asInt(m_file, key, *value);
    }

    void read(std::string_view key, double& target) const {
        if (const json* value = findValue(m_object, key)) {
            if (!value->is_number())
                wrongType(m_file, key, "a number", *value);
            target = value->get<double>();
        }
    }

    void read(std::string_view key, bool& target) const {
        if (const json* value = findValue(m_object, key)) {
            if (!value->is_boolean())
                wrongType(m_file, key, "true or false", *value);
            target = value->get<bool>();
        }
    }

    void read(std::string_view key, std::vector<std::int64_t>& target) const {
        if (const json* value = findValue(m_object, key))
            target = intArray(key, *value);
    }

    // diffusers stores some scalars as one-element lists ("all_patch_size": [2]); the engine uses the first entry.
    void readFirst(std::string_view key, std::int64_t& target) const {
        const json* value = findValue(m_object, key);
        if (!value)
            return;
        const auto values = intArray(key, *value);
        if (values.empty())
            throw IoError(m_file, "key '" + std::string(key) + "' is an empty list");
        target = values.front();
    }

    // A number inside a nested object, e.g. "rope_parameters": {"rope_theta": ...}.
    void readNested(std::string_view object, std::string_view key, double& target) const {
        const json* nested = findValue(m_object, object);
        if (!nested)
            return;
        if (!nested->is_object())
            wrongType(m_file, object, "an object", *nested);
        Reader(*nested, m_file).read(key, target, std::string(object) + "." + std::string(key));
    }

    const std::filesystem::path& file() const { return m_file; }

private:
    void read(std::string_view key, double& target, const std::string& fullKey) const {
        if (const json* value = findValue(m_object, key)) {
            if (!value->is_number())
                wrongType(m_file, fullKey, "a number", *value);
            target = value->get<double>();
        }
    }

    std::vector<std::int64_t> intArray(std::string_view key, const json& value) const {
        if (!value.is_array())
            wrongType(m_file, key, "a list of integers", value);
        std::vector<std::int64_t> result;
        result.reserve(value.size());
        for (std::size_t i = 0; i < value.size(); ++i)
            result.push_back(asInt(m_file, std::string(key) + "[" + std::to_string(i) + "]", value[i]));
        return result;
    }

    const json& m_object;
    const std::filesystem::path& m_file;
};

void requirePositive(const std::filesystem::path& file, std::string_view key, std::int64_t value) {
    if (value <= 0)
        throw IoError(file, "key '" + std::string(key) + "' must be positive, found " + std::to_string(value));
}

void requirePositive(const std::filesystem::path& file, std::string_view key, const std::vector<std::int64_t>& values) {
    if (values.empty())
        throw IoError(file, "key '" + std::string(key) + "' is an empty list");
    for (std::size_t i = 0; i < values.size(); ++i)
        requirePositive(file, std::string(key) + "[" + std::to_string(i) + "]", values[i]);
}

TextEncoderConfig parseTextEncoder(const json& object, const std::filesystem::path& file) {
    const Reader reader(object, file);
    TextEncoderConfig config;
    reader.read("vocab_size", config.vocabSize);
    reader.read("hidden_size", config.hiddenSize);
    reader.read("num_hidden_layers", config.numLayers);
    reader.read("num_attention_heads", config.numHeads);
    reader.read("num_key_value_heads", config.numKvHeads);
    reader.read("intermediate_size", config.intermediateSize);
    reader.read("rms_norm_eps", config.rmsNormEps);
    reader.read("rope_theta", config.ropeTheta);
    reader.readNested("rope_parameters", "rope_theta", config.ropeTheta);
    reader.read("tie_word_embeddings", config.tieWordEmbeddings);
    // transformers derives head_dim from hidden_size / num_attention_heads when the key is absent (Qwen2 style).
    if (findValue(object, "head_dim"))
        reader.read("head_dim", config.headDim);
    else if (config.numHeads > 0)
        config.headDim = config.hiddenSize / config.numHeads;

    requirePositive(file, "vocab_size", config.vocabSize);
    requirePositive(file, "hidden_size", config.hiddenSize);
    requirePositive(file, "num_hidden_layers", config.numLayers);
    requirePositive(file, "num_attention_heads", config.numHeads);
    requirePositive(file, "num_key_value_heads", config.numKvHeads);
    requirePositive(file, "head_dim", config.headDim);
    requirePositive(file, "intermediate_size", config.intermediateSize);
    if (config.numHeads % config.numKvHeads != 0)
        throw IoError(file, "num_attention_heads " + std::to_string(config.numHeads) +
                                " is not a multiple of num_key_value_heads " + std::to_string(config.numKvHeads));
    return config;
}

TransformerConfig parseTransformer(const json& object, const std::filesystem::path& file) {
    const Reader reader(object, file);
    TransformerConfig config;
    reader.read("dim", config.dim);
    reader.read("n_layers", config.numLayers);
    reader.read("n_refiner_layers", config.numRefinerLayers);
    reader.read("n_heads", config.numHeads);
    reader.read("n_kv_heads", config.numKvHeads);
    reader.read("cap_feat_dim", config.capFeatDim);
    reader.read("in_channels", config.inChannels);
    reader.readFirst("all_patch_size", config.patchSize);
    reader.readFirst("all_f_patch_size", config.fPatchSize);
    reader.read("axes_dims", config.axesDims);
    reader.read("axes_lens", config.axesLens);
    reader.read("norm_eps", config.normEps);
    reader.read("rope_theta", config.ropeTheta);
    reader.read("t_scale", config.tScale);
    reader.read("qk_norm", config.qkNorm);

    requirePositive(file, "dim", config.dim);
    requirePositive(file, "n_layers", config.numLayers);
    // Refiner layers may legitimately be 0 in a variant; only negative counts are nonsense.
    if (config.numRefinerLayers < 0)
        requirePositive(file, "n_refiner_layers", config.numRefinerLayers);
    requirePositive(file, "n_heads", config.numHeads);
    requirePositive(file, "n_kv_heads", config.numKvHeads);
    requirePositive(file, "cap_feat_dim", config.capFeatDim);
    requirePositive(file, "in_channels", config.inChannels);
    requirePositive(file, "all_patch_size", config.patchSize);
    requirePositive(file, "all_f_patch_size", config.fPatchSize);
    requirePositive(file, "axes_dims", config.axesDims);
    if (config.dim % config.numHeads != 0)
        throw IoError(file, "dim " + std::to_string(config.dim) + " is not a multiple of n_heads " +
                                std::to_string(config.numHeads));
    return config;
}

VaeConfig parseVae(const json& object, const std::filesystem::path& file) {
    const Reader reader(object, file);
    VaeConfig config;
    reader.read("in_channels", config.inChannels);
    reader.read("out_channels", config.outChannels);
    reader.read("latent_channels", config.latentChannels);
    reader.read("block_out_channels", config.blockOutChannels);
    reader.read("layers_per_block", config.layersPerBlock);
    reader.read("norm_num_groups", config.normNumGroups);
    reader.read("scaling_factor", config.scalingFactor);
    reader.read("shift_factor", config.shiftFactor);
    reader.read("mid_block_add_attention", config.midBlockAddAttention);
    reader.read("use_quant_conv", config.useQuantConv);
    reader.read("use_post_quant_conv", config.usePostQuantConv);

    requirePositive(file, "in_channels", config.inChannels);
    requirePositive(file, "out_channels", config.outChannels);
    requirePositive(file, "latent_channels", config.latentChannels);
    requirePositive(file, "block_out_channels", config.blockOutChannels);
    requirePositive(file, "layers_per_block", config.layersPerBlock);
    requirePositive(file, "norm_num_groups", config.normNumGroups);
    return config;
}

SchedulerConfig parseScheduler(const json& object, const std::filesystem::path& file) {
    const Reader reader(object, file);
    SchedulerConfig config;
    reader.read("shift", config.shift);
    reader.read("num_train_timesteps", config.numTrainTimesteps);
    reader.read("use_dynamic_shifting", config.useDynamicShifting);
    requirePositive(file, "num_train_timesteps", config.numTrainTimesteps);
    return config;
}

} // namespace

TextEncoderConfig TextEncoderConfig::fromJson(const nlohmann::json& json) {
    return parseTextEncoder(json, kUnnamedConfig);
}

TransformerConfig TransformerConfig::fromJson(const nlohmann::json& json) {
    return parseTransformer(json, kUnnamedConfig);
}

VaeConfig VaeConfig::fromJson(const nlohmann::json& json) {
    return parseVae(json, kUnnamedConfig);
}

SchedulerConfig SchedulerConfig::fromJson(const nlohmann::json& json) {
    return parseScheduler(json, kUnnamedConfig);
}

nlohmann::json readJsonFile(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        throw IoError(path, std::filesystem::exists(path, error) ? "not a regular file" : "file not found");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path, "cannot open the file for reading");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& parseError) {
        throw IoError(path, std::string("invalid JSON: ") + parseError.what());
    }
}

TextEncoderConfig readTextEncoderConfig(const std::filesystem::path& configJson) {
    return parseTextEncoder(readJsonFile(configJson), configJson);
}

TransformerConfig readTransformerConfig(const std::filesystem::path& configJson) {
    return parseTransformer(readJsonFile(configJson), configJson);
}

VaeConfig readVaeConfig(const std::filesystem::path& configJson) {
    return parseVae(readJsonFile(configJson), configJson);
}

SchedulerConfig readSchedulerConfig(const std::filesystem::path& configJson) {
    return parseScheduler(readJsonFile(configJson), configJson);
}

} // namespace zimage::io
