// libFuzzer target for the PNG parameters importer (output/parameters_import.h). The input is used three ways:
// - as a "parameters" text and as a "zimage" JSON chunk: importing must never throw or crash, and what it returns must
//   hold together (one prompt when something was found, a problem when nothing was, valid UTF-8 everywhere);
// - as the recipe of a request (seed, steps, size from the first bytes; a prompt from the rest, spelled with a small
//   alphabet of separators, quotes, newlines and a Chinese character): a1111Parameters followed by the parser must
//   give back the same values. The prompt comes back with each line trimmed and leading blank lines dropped, as
//   AUTOMATIC1111's own parser does.

#include "output/generation_metadata.h"
#include "output/parameters_import.h"
#include "text/utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void failure(const char* what) {
    std::fprintf(stderr, "fuzz_parameters_import: %s\n", what);
    std::abort();
}

bool validUtf8(std::string_view text) {
    return !zimage::text::findInvalidUtf8(text);
}

void checkConsistent(const zimage::output::ImportedParameters& imported) {
    if (imported.found() && imported.request.prompts.size() != 1)
        failure("a found parameter set does not have exactly one prompt");
    if (!imported.found() && imported.problems.empty())
        failure("nothing was found and no problem says why");
    if (imported.source == zimage::output::ParametersSource::ParametersText) {
        if (!validUtf8(imported.request.prompts.at(0)) || !validUtf8(imported.request.negativePrompt) ||
            !validUtf8(imported.sampler) || !validUtf8(imported.modelName))
            failure("the text importer returned invalid UTF-8");
        for (const auto& field : imported.unknownFields)
            if (!validUtf8(field.key) || !validUtf8(field.value))
                failure("an unknown field is not valid UTF-8");
    }
}

std::string trimSpaces(std::string_view line) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string_view::npos)
        return {};
    return std::string(line.substr(first, line.find_last_not_of(' ') - first + 1));
}

// What the parser gives back for a prompt written by a1111Parameters.
std::string expectedPrompt(const std::string& prompt) {
    std::string out;
    std::size_t start = 0;
    while (start <= prompt.size()) {
        const auto end = std::min(prompt.find('\n', start), prompt.size());
        if (start > 0)
            out += '\n';
        out += trimSpaces(std::string_view(prompt).substr(start, end - start));
        start = end + 1;
    }
    return out.substr(std::min(out.find_first_not_of('\n'), out.size()));
}

template <typename T>
T take(const std::uint8_t*& data, std::size_t& size) {
    T value{};
    const auto n = std::min(size, sizeof(T));
    std::memcpy(&value, data, n);
    data += n;
    size -= n;
    return value;
}

void checkRoundTrip(const std::uint8_t* data, std::size_t size) {
    zimage::GenerationRequest request;
    request.seed = take<std::uint64_t>(data, size);
    request.steps = 1 + take<std::uint16_t>(data, size) % 1000;
    request.width = 1 + take<std::uint16_t>(data, size) % 4096;
    request.height = 1 + take<std::uint16_t>(data, size) % 4096;
    request.guidance = take<std::uint8_t>(data, size) % 16 * 0.5;
    request.noise = take<std::uint8_t>(data, size) % 2 ? zimage::NoiseSource::Cuda : zimage::NoiseSource::Cpu;
    static constexpr const char* kAlphabet[] = {"a", "b", " ", ",", ":", "\"", "\n", "猫", "(", "x"};
    std::string prompt;
    std::string negative;
    for (std::size_t i = 0; i < size; ++i)
        (data[i] & 0x80 ? negative : prompt) += kAlphabet[(data[i] & 0x7F) % std::size(kAlphabet)];
    request.prompts = {prompt};
    // A negative is written on one "Negative prompt:" line; its own lines would be trimmed like the prompt's.
    request.negativePrompt = trimSpaces(negative.substr(0, negative.find('\n')));

    const auto imported = zimage::output::parseParametersText(zimage::output::a1111Parameters(request, 0, "m"));
    if (!imported.problems.empty())
        failure("a written request did not parse without problems");
    const auto& back = imported.request;
    if (back.prompts.at(0) != expectedPrompt(prompt))
        failure("the prompt did not round-trip");
    const bool negativeWritten = request.guidance > 0.0 && !request.negativePrompt.empty();
    if (back.negativePrompt != (negativeWritten ? request.negativePrompt : std::string()))
        failure("the negative prompt did not round-trip");
    if (back.seed != request.seed || back.steps != request.steps || back.width != request.width ||
        back.height != request.height || back.guidance != request.guidance || back.noise != request.noise)
        failure("a number did not round-trip");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    checkConsistent(zimage::output::parseParametersText(input));
    checkConsistent(zimage::output::importParameters({{"zimage", input}}));
    checkConsistent(zimage::output::importParameters({{"zimage", input}, {"parameters", input}}));
    checkRoundTrip(data, size);
    return 0;
}
