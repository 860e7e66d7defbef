#include "output/parameters_import.h"

#include "output/generation_metadata.h"
#include "text/utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

namespace zimage::output {
namespace {

constexpr std::string_view kNegativePrefix = "Negative prompt:";
// AUTOMATIC1111's parse_generation_parameters (modules/infotext_utils.py) takes the last line for the key-value line
// only when it holds at least three pairs; with fewer it is part of the prompt.
constexpr std::size_t kMinPairsOfKeyValueLine = 3;

// ---- Splitting the text ----

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

// A1111's key pattern is \w[\w \-/]+ (Python's \w includes every letter, so any non-ASCII byte counts).
bool isKeyStart(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

bool isKeyChar(unsigned char c) {
    return isKeyStart(c) || c == ' ' || c == '-' || c == '/';
}

// A JSON-quoted value (A1111's quote() is json.dumps); a string that does not decode is kept as written.
std::string unquote(std::string_view quoted) {
    const auto json = nlohmann::json::parse(quoted, nullptr, false);
    if (json.is_string())
        return json.get<std::string>();
    return std::string(quoted.substr(1, quoted.size() - 2));
}

// The end of a quoted value starting at `pos` (the index after its closing quote), when a separator or the end of
// the line follows it; npos otherwise.
std::size_t quotedValueEnd(std::string_view line, std::size_t pos) {
    std::size_t i = pos + 1;
    while (i < line.size() && line[i] != '"')
        i += line[i] == '\\' ? 2 : 1;
    if (i >= line.size())
        return std::string_view::npos;
    const auto next = line.find_first_not_of(' ', i + 1);
    return next == std::string_view::npos || line[next] == ',' ? i + 1 : std::string_view::npos;
}

// stable-diffusion.cpp writes lists unquoted: "Skip layers: [7, 8, 9, ]". The index after the matching ']'.
std::size_t bracketedValueEnd(std::string_view line, std::size_t pos) {
    int depth = 0;
    for (std::size_t i = pos; i < line.size(); ++i) {
        if (line[i] == '[')
            ++depth;
        else if (line[i] == ']' && --depth == 0)
            return i + 1;
    }
    return std::string_view::npos;
}

struct LineFields {
    std::vector<ParameterField> fields;
    std::size_t pairs = 0; // fields that have a key and a value ("Key: value"); the others are bare segments
};

// Reads the value at `pos` and moves `pos` past its separator.
std::string readValue(std::string_view line, std::size_t& pos) {
    if (pos < line.size() && line[pos] == '"') {
        const auto end = quotedValueEnd(line, pos);
        if (end != std::string_view::npos) {
            auto value = unquote(line.substr(pos, end - pos));
            pos = std::min(line.find(',', end), line.size()) + 1;
            return value;
        }
    }
    auto end = pos;
    if (pos < line.size() && line[pos] == '[')
        if (const auto closed = bracketedValueEnd(line, pos); closed != std::string_view::npos)
            end = closed;
    end = std::min(line.find(',', end), line.size());
    auto value = std::string(trim(line.substr(pos, end - pos)));
    pos = end + 1;
    return value;
}

// "Steps: 20, Sampler: Euler a, Lora hashes: \"a: 1, b: 2\", Tiling" -> the fields in order.
LineFields parseKeyValues(std::string_view line) {
    LineFields result;
    std::size_t pos = 0;
    while (pos < line.size()) {
        pos = line.find_first_not_of(' ', pos);
        if (pos == std::string_view::npos)
            break;
        const auto start = pos;
        if (isKeyStart(static_cast<unsigned char>(line[pos]))) {
            while (pos < line.size() && isKeyChar(static_cast<unsigned char>(line[pos])))
                ++pos;
            if (pos < line.size() && line[pos] == ':') {
                const auto key = std::string(trim(line.substr(start, pos - start)));
                pos = std::min(line.find_first_not_of(' ', pos + 1), line.size());
                result.fields.push_back({key, readValue(line, pos)});
                ++result.pairs;
                continue;
            }
        }
        // A segment without "Key:" (A1111 writes a flag whose value equals its name as the name alone).
        const auto end = std::min(line.find(',', start), line.size());
        const auto segment = trim(line.substr(start, end - start));
        if (!segment.empty())
            result.fields.push_back({std::string(segment), {}});
        pos = end + 1;
    }
    return result;
}

bool hasKey(const LineFields& line, std::string_view key) {
    for (const auto& field : line.fields)
        if (field.key == key && !field.value.empty())
            return true;
    return false;
}

// The key-value line: the last line with at least three pairs, one of them "Steps" (every writer we know puts it
// there), not counting negative-prompt lines. Lines after it are extras (Forge extensions add "Template: ..." lines).
std::optional<std::size_t> findKeyValueLine(const std::vector<std::string_view>& lines) {
    for (std::size_t i = lines.size(); i-- > 0;) {
        const auto line = trim(lines[i]);
        if (line.starts_with(kNegativePrefix))
            continue;
        const auto fields = parseKeyValues(line);
        if (fields.pairs >= kMinPairsOfKeyValueLine && hasKey(fields, "Steps"))
            return i;
    }
    return std::nullopt;
}

// A line after the key-value line (sd-dynamic-prompts appends "Template:<prompt>" and "Negative Template:<negative>"
// when dp_write_raw_template is on): its pairs when it is two or more pairs, else one field "Key: rest of the line"
// (a template holds commas). A line without a key continues the previous extra field (a template may span lines), or
// stands alone under an empty key. `extrasBegin`: where the extra fields start in `out`.
void addExtraLine(std::string_view line, std::vector<ParameterField>& out, std::size_t extrasBegin) {
    line = trim(line);
    if (line.empty())
        return;
    auto fields = parseKeyValues(line);
    if (fields.pairs > 1 && fields.pairs == fields.fields.size()) {
        out.insert(out.end(), fields.fields.begin(), fields.fields.end());
        return;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && colon > 0 && isKeyStart(static_cast<unsigned char>(line[0])) &&
        std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                    [](char c) { return isKeyChar(static_cast<unsigned char>(c)); })) {
        const auto value = trim(line.substr(colon + 1));
        const bool quoted = value.size() >= 2 && value.front() == '"' && quotedValueEnd(value, 0) == value.size();
        out.push_back({std::string(trim(line.substr(0, colon))), quoted ? unquote(value) : std::string(value)});
        return;
    }
    if (out.size() > extrasBegin)
        out.back().value += "\n" + std::string(line);
    else
        out.push_back({{}, std::string(line)});
}

// ---- Interpreting the values ----

template <typename T>
std::optional<T> parseNumber(std::string_view text) {
    T value{};
    const auto* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || ptr != end)
        return std::nullopt;
    if constexpr (std::is_floating_point_v<T>)
        if (!std::isfinite(value))
            return std::nullopt;
    return value;
}

std::string quoted(std::string_view value) {
    return "\"" + std::string(value) + "\"";
}

// The fields this importer maps onto the request; the first occurrence of each is used.
class FieldMapper {
public:
    explicit FieldMapper(ImportedParameters& out)
        : m_out(out) {}

    void map(const ParameterField& field) {
        if (!m_used.insert(field.key).second || !apply(field))
            m_out.unknownFields.push_back(field);
    }

    bool sawKey(std::string_view key) const { return m_used.count(std::string(key)) > 0; }

private:
    // True when the field was taken; false keeps it among the unknown fields (a key we do not map, or a value that
    // was refused, with a problem).
    bool apply(const ParameterField& field) {
        const auto& key = field.key;
        const std::string_view value = field.value;
        if (key == "Steps")
            return steps(value);
        if (key == "Seed")
            return seed(value);
        if (key == "Size")
            return size(value);
        if (key == "CFG scale")
            return real(value, "CFG scale", "the guidance", m_out.request.guidance);
        if (key == "CFG normalization")
            return real(value, key, "the CFG normalization", m_out.request.cfgNormalization);
        if (key == "CFG truncation")
            return real(value, key, "the CFG truncation", m_out.request.cfgTruncation);
        if (key == "Custom Sigmas")
            return sigmas(value);
        if (key == "RNG")
            return noise(value);
        if (key == "Sampler")
            m_out.sampler = value;
        else if (key == "Model")
            m_out.modelName = value;
        else
            return false;
        return true;
    }

    bool steps(std::string_view value) {
        const auto steps = parseNumber<int>(value);
        if (!steps || *steps < 1) {
            m_out.problems.push_back("Steps " + quoted(value) +
                                     " is not a whole number of at least 1: the steps were not restored.");
            return false;
        }
        m_out.request.steps = *steps;
        return true;
    }

    bool seed(std::string_view value) {
        if (const auto seed = parseNumber<std::uint64_t>(value)) {
            m_out.request.seed = *seed;
            return true;
        }
        const auto digits = value.starts_with('-') ? value.substr(1) : value;
        const bool integer = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
        const auto what = integer ? "is out of range: seeds are whole numbers from 0 to " +
                                        std::to_string(std::numeric_limits<std::uint64_t>::max())
                                  : std::string("is not a whole number");
        m_out.problems.push_back("Seed " + quoted(value) + " " + what + ". The seed was not restored: choose one.");
        return false;
    }

    bool size(std::string_view value) {
        const auto x = value.find('x');
        const auto width = x == std::string_view::npos ? std::nullopt : parseNumber<int>(value.substr(0, x));
        const auto height = x == std::string_view::npos ? std::nullopt : parseNumber<int>(value.substr(x + 1));
        if (!width || !height || *width < 1 || *height < 1) {
            m_out.problems.push_back("Size " + quoted(value) +
                                     " is not a width and height in pixels like 1024x1024: the size was not restored.");
            return false;
        }
        m_out.request.width = *width;
        m_out.request.height = *height;
        return true;
    }

    bool real(std::string_view value, std::string_view label, std::string_view what, double& out) {
        const auto number = parseNumber<double>(value);
        if (!number) {
            m_out.problems.push_back(std::string(label) + " " + quoted(value) +
                                     " is not a number: " + std::string(what) + " was not restored.");
            return false;
        }
        out = *number;
        return true;
    }

    // stable-diffusion.cpp: "[0.9990, 0.5000, 0.0000]".
    bool sigmas(std::string_view value) {
        std::vector<double> sigmas;
        const bool bracketed = value.size() >= 2 && value.front() == '[' && value.back() == ']';
        auto rest = bracketed ? value.substr(1, value.size() - 2) : std::string_view();
        bool valid = bracketed;
        while (valid && !trim(rest).empty()) {
            const auto comma = std::min(rest.find(','), rest.size());
            const auto number = parseNumber<double>(trim(rest.substr(0, comma)));
            valid = number.has_value();
            if (valid)
                sigmas.push_back(*number);
            rest = rest.substr(std::min(comma + 1, rest.size()));
        }
        if (!valid || sigmas.empty()) {
            m_out.problems.push_back("Custom Sigmas " + quoted(value) +
                                     " is not a list of numbers like [0.9, 0.5, 0]: the schedule was not restored.");
            return false;
        }
        m_out.request.sigmas = std::move(sigmas);
        return true;
    }

    // A1111: CPU (torch's CPU generator, as ComfyUI), GPU (torch's CUDA generator, as diffusers), NV (a CPU
    // emulation of the CUDA generator). stable-diffusion.cpp: "cuda", "cpu", "std_default" (its own; unmapped).
    bool noise(std::string_view value) {
        if (value == "CPU" || value == "cpu")
            m_out.request.noise = NoiseSource::Cpu;
        else if (value == "GPU" || value == "NV" || value == "cuda")
            m_out.request.noise = NoiseSource::Cuda;
        else
            return false;
        return true;
    }

    ImportedParameters& m_out;
    std::set<std::string> m_used;
};

void splitPrompts(const std::vector<std::string_view>& lines, std::size_t end, std::string& prompt,
                  std::string& negative) {
    bool inNegative = false;
    for (std::size_t i = 0; i < end; ++i) {
        auto line = trim(lines[i]);
        if (line.starts_with(kNegativePrefix)) {
            inNegative = true;
            line = trim(line.substr(kNegativePrefix.size()));
        }
        auto& target = inNegative ? negative : prompt;
        if (!target.empty())
            target += '\n';
        target += line;
    }
}

// ---- Our JSON chunk ----

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

std::string describeJson(const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

// requestFromJson converts numbers without range checks (-1 becomes a huge seed); these must be in range.
void checkJsonNumbers(const nlohmann::json& request, std::vector<std::string>& problems) {
    struct Bound {
        const char* key;
        std::int64_t min;
        std::uint64_t max;
    };
    for (const auto& [key, min, max] :
         {Bound{"seed", 0, std::numeric_limits<std::uint64_t>::max()}, Bound{"steps", 1, INT_MAX},
          Bound{"width", 1, INT_MAX}, Bound{"height", 1, INT_MAX}}) {
        const auto* value = member(request, key);
        if (!value || value->is_null())
            continue;
        bool inRange = false;
        if (value->is_number_unsigned())
            inRange = value->get<std::uint64_t>() >= std::uint64_t(min) && value->get<std::uint64_t>() <= max;
        else if (value->is_number_integer())
            inRange = value->get<std::int64_t>() >= min && std::uint64_t(value->get<std::int64_t>()) <= max;
        if (!inRange)
            problems.push_back(std::string("The zimage metadata's \"") + key + "\" is " + value->dump() +
                               ": it must be a whole number from " + std::to_string(min) + " to " +
                               std::to_string(max) + ".");
    }
}

void collectUnknownJsonKeys(const nlohmann::json& metadata, const nlohmann::json& request,
                            std::vector<ParameterField>& out) {
    static const std::set<std::string> kMetadataKeys = {"request", "image_index", "seed", "prompt", "model"};
    for (const auto& [key, value] : metadata.items())
        if (!kMetadataKeys.count(key))
            out.push_back({key, describeJson(value)});
    const auto known = requestToJson(GenerationRequest{});
    for (const auto& [key, value] : request.items())
        if (!known.contains(key))
            out.push_back({"request." + key, describeJson(value)});
}

// The image's own prompt and seed within its batch request.
void selectImage(const nlohmann::json& metadata, ImportedParameters& out) {
    std::size_t index = 0;
    if (const auto* value = member(metadata, "image_index"); value && value->is_number_unsigned())
        index = value->get<std::size_t>();
    auto& request = out.request;
    std::string prompt;
    if (const auto* value = member(metadata, "prompt"); value && value->is_string())
        prompt = value->get<std::string>();
    else if (index < request.prompts.size())
        prompt = request.prompts[index];
    request.prompts = {prompt};
    if (const auto* value = member(metadata, "seed"))
        checkJsonNumbers({{"seed", *value}}, out.problems);
    if (const auto* value = member(metadata, "seed"); value && value->is_number_unsigned())
        request.seed = value->get<std::uint64_t>();
    else
        request.seed += index;
    if (const auto* value = member(metadata, "model"); value && value->is_string())
        out.modelName = value->get<std::string>();
}

const PngText* findText(const std::vector<PngText>& texts, std::string_view key) {
    for (const auto& text : texts)
        if (text.key == key)
            return &text;
    return nullptr;
}

} // namespace

std::string_view parametersSourceName(ParametersSource source) {
    switch (source) {
    case ParametersSource::ZimageJson:
        return "zimage metadata";
    case ParametersSource::ParametersText:
        return "parameters text";
    default:
        return "none";
    }
}

ImportedParameters parseParametersText(std::string_view input) {
    ImportedParameters out;
    std::string repaired;
    if (const auto problem = text::findInvalidUtf8(input)) {
        out.warnings.push_back("The parameters text is not valid UTF-8 (" + text::describe(*problem) +
                               "); the invalid bytes were replaced with U+FFFD.");
        repaired = text::repairUtf8(input);
        input = repaired;
    }
    const auto body = trim(input);
    if (body.empty()) {
        out.problems.push_back("The parameters text is empty: there is nothing to restore.");
        return out;
    }
    out.source = ParametersSource::ParametersText;
    const auto lines = splitLines(body);
    const auto keyValueLine = findKeyValueLine(lines);
    std::string prompt;
    splitPrompts(lines, keyValueLine.value_or(lines.size()), prompt, out.request.negativePrompt);
    out.request.prompts = {prompt};
    if (!keyValueLine) {
        out.warnings.push_back("The parameters text has no settings line (\"Steps: ..., Seed: ...\"): only the "
                               "prompt was restored.");
        return out;
    }
    std::vector<ParameterField> fields = parseKeyValues(trim(lines[*keyValueLine])).fields;
    const auto extrasBegin = fields.size();
    for (auto i = *keyValueLine + 1; i < lines.size(); ++i)
        addExtraLine(lines[i], fields, extrasBegin);
    FieldMapper mapper(out);
    for (const auto& field : fields)
        mapper.map(field);
    // A1111 leaves RNG out when it is the default, the GPU generator (parse_generation_parameters says so too).
    if (!mapper.sawKey("RNG"))
        out.request.noise = NoiseSource::Cuda;
    // stable-diffusion.cpp names the checkpoint in "Unet" when it was given as --diffusion-model.
    if (out.modelName.empty())
        for (const auto& field : out.unknownFields)
            if (field.key == "Unet") {
                out.modelName = field.value;
                break;
            }
    return out;
}

ImportedParameters parseZimageJson(std::string_view text) {
    ImportedParameters out;
    const auto metadata = nlohmann::json::parse(text, nullptr, false);
    const auto* request = metadata.is_object() ? member(metadata, "request") : nullptr;
    if (!request || !request->is_object()) {
        out.problems.push_back(metadata.is_discarded() ? "The zimage metadata is not valid JSON."
                                                       : "The zimage metadata has no \"request\" object.");
        return out;
    }
    try {
        out.request = requestFromJson(*request);
    } catch (const std::invalid_argument& error) {
        out.problems.push_back(std::string("The zimage metadata cannot be read: ") + error.what() + ".");
        return out;
    }
    out.source = ParametersSource::ZimageJson;
    checkJsonNumbers(*request, out.problems);
    selectImage(metadata, out);
    collectUnknownJsonKeys(metadata, *request, out.unknownFields);
    return out;
}

ImportedParameters importParameters(const std::vector<PngText>& texts) {
    const auto* json = findText(texts, kRequestJsonKey);
    const auto* parameters = findText(texts, kParametersKey);
    ImportedParameters fromJson;
    if (json) {
        fromJson = parseZimageJson(json->value);
        if ((fromJson.found() && fromJson.problems.empty()) || !parameters)
            return fromJson;
    }
    if (parameters) {
        auto fromText = parseParametersText(parameters->value);
        if (json)
            fromText.warnings.insert(fromText.warnings.begin(), "The zimage metadata was not used (" +
                                                                    fromJson.problems.front() +
                                                                    "); the parameters text was read instead.");
        return fromText;
    }
    ImportedParameters none;
    if (findText(texts, "workflow") || findText(texts, "prompt"))
        none.problems.push_back("This image holds a ComfyUI workflow, not generation parameters: open it in ComfyUI "
                                "or enter the parameters by hand.");
    else
        none.problems.push_back("This image holds no generation parameters (no \"zimage\" or \"parameters\" text): "
                                "it was not made by Z-Image Studio, AUTOMATIC1111, Forge or stable-diffusion.cpp, or "
                                "its metadata was removed.");
    return none;
}

} // namespace zimage::output
