#include "output/generation_metadata.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace zimage::output {
namespace {

std::string formatNumber(double value) {
    std::ostringstream out;
    out << value; // shortest round-trippable-enough form: 0, 3.5, 0.75
    return out.str();
}

// A1111 quotes a value that contains a separator.
std::string quoteIfNeeded(const std::string& value) {
    if (value.find_first_of(",:\n\"") == std::string::npos)
        return value;
    return nlohmann::json(value).dump();
}

// A number as type T. nlohmann converts a float to an integer with a plain cast, which is undefined behaviour when
// the value is out of range (a crafted file's "seed": 2e95): such a float is refused. Integers convert as nlohmann
// does (-1 wraps); parameters_import checks their ranges and names the key in its problems.
template <typename T>
T readWholeNumber(const nlohmann::json& value, const char* key) {
    if (value.is_number_float()) {
        const double number = value.get<double>();
        // The bounds as doubles: max() of a 64-bit type rounds up to 2^64, so the upper test is strict.
        if (!std::isfinite(number) || number < static_cast<double>(std::numeric_limits<T>::min()) ||
            number >= static_cast<double>(std::numeric_limits<T>::max()))
            throw std::invalid_argument(std::string("metadata key '") + key + "' is out of range");
        return static_cast<T>(number);
    }
    try {
        return value.get<T>();
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument(std::string("metadata key '") + key + "' has the wrong type");
    }
}

template <typename T>
void read(const nlohmann::json& json, const char* key, T& out) {
    const auto it = json.find(key);
    if (it == json.end() || it->is_null())
        return;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        out = readWholeNumber<T>(*it, key);
        return;
    }
    try {
        out = it->get<T>();
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument(std::string("metadata key '") + key + "' has the wrong type");
    }
}

template <typename Enum>
void readEnum(const nlohmann::json& json, const char* key, Enum& out, bool (*parse)(std::string_view, Enum&)) {
    std::string text;
    read(json, key, text);
    if (!text.empty() && !parse(text, out))
        throw std::invalid_argument(std::string("metadata key '") + key + "' has an unknown value '" + text + "'");
}

} // namespace

std::string a1111Parameters(const GenerationRequest& request, std::size_t imageIndex, std::string_view modelName) {
    const auto& prompt = request.prompts.at(imageIndex);
    std::string text = prompt + "\n";
    if (request.guidance > 0.0 && !request.negativePrompt.empty())
        text += "Negative prompt: " + request.negativePrompt + "\n";
    std::vector<std::pair<std::string, std::string>> fields;
    fields.emplace_back(
        "Steps", std::to_string(request.sigmas.empty() ? request.steps : static_cast<int>(request.sigmas.size())));
    fields.emplace_back("Sampler", "Euler");
    fields.emplace_back("Schedule type", request.sigmas.empty() ? "Simple" : "Custom");
    fields.emplace_back("CFG scale", formatNumber(request.guidance));
    fields.emplace_back("Seed", std::to_string(request.seed + imageIndex));
    fields.emplace_back("Size", std::to_string(request.width) + "x" + std::to_string(request.height));
    fields.emplace_back("Model", std::string(modelName));
    if (request.cfgNormalization > 0.0)
        fields.emplace_back("CFG normalization", formatNumber(request.cfgNormalization));
    if (request.cfgTruncation < 1.0)
        fields.emplace_back("CFG truncation", formatNumber(request.cfgTruncation));
    fields.emplace_back("RNG", request.noise == NoiseSource::Cpu ? "CPU" : "GPU");
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += fields[i].first + ": " + quoteIfNeeded(fields[i].second);
    }
    return text;
}

nlohmann::json requestToJson(const GenerationRequest& request) {
    return {
        {"prompts", request.prompts},
        {"negative_prompt", request.negativePrompt},
        {"seed", request.seed},
        {"steps", request.steps},
        {"sigmas", request.sigmas},
        {"width", request.width},
        {"height", request.height},
        {"guidance", request.guidance},
        {"cfg_normalization", request.cfgNormalization},
        {"cfg_truncation", request.cfgTruncation},
        {"max_sequence_length", request.maxSequenceLength},
        {"noise", noiseSourceName(request.noise)},
        {"device", deviceChoiceName(request.device)},
        {"precision", precisionName(request.precision)},
    };
}

GenerationRequest requestFromJson(const nlohmann::json& json) {
    if (!json.is_object())
        throw std::invalid_argument("the request metadata is not a JSON object");
    GenerationRequest request;
    read(json, "prompts", request.prompts);
    read(json, "negative_prompt", request.negativePrompt);
    read(json, "seed", request.seed);
    read(json, "steps", request.steps);
    read(json, "sigmas", request.sigmas);
    read(json, "width", request.width);
    read(json, "height", request.height);
    read(json, "guidance", request.guidance);
    read(json, "cfg_normalization", request.cfgNormalization);
    read(json, "cfg_truncation", request.cfgTruncation);
    read(json, "max_sequence_length", request.maxSequenceLength);
    readEnum(json, "noise", request.noise, parseNoiseSource);
    readEnum(json, "device", request.device, parseDeviceChoice);
    readEnum(json, "precision", request.precision, parsePrecision);
    return request;
}

nlohmann::json imageMetadata(const GenerationRequest& request, std::size_t imageIndex, std::string_view modelName,
                             std::string_view appVersion) {
    return {{"request", requestToJson(request)},
            {"image_index", imageIndex},
            {"seed", request.seed + imageIndex},
            {"prompt", request.prompts.at(imageIndex)},
            {"model", modelName},
            {"app", "zimage-studio " + std::string(appVersion)}};
}

} // namespace zimage::output
