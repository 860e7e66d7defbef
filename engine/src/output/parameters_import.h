#pragma once
// Restoring generation parameters from a PNG's text chunks: our own JSON chunk (the full request), or the A1111-style
// "parameters" text that AUTOMATIC1111, Forge and stable-diffusion.cpp write:
//
//   prompt (one or more lines)
//   Negative prompt: negative (one or more lines; the line is absent when there is none)
//   Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 965400086, Size: 512x512, Lora hashes: "a: 1, b: 2"
//   (some Forge extensions add lines after the key-value line, e.g. "Template: ...")
//
// Values containing ',' ':' or a newline are JSON-quoted (A1111's infotext_utils.quote); stable-diffusion.cpp writes
// lists in brackets without quotes ("Skip layers: [7, 8, 9, ]").

#include "output/png_file.h"

#include <zimage/request.h>

#include <string>
#include <string_view>
#include <vector>

namespace zimage::output {

enum class ParametersSource {
    None,          // nothing usable was found (see problems)
    ZimageJson,    // our "zimage" chunk
    ParametersText // the A1111-style "parameters" chunk
};

std::string_view parametersSourceName(ParametersSource source);

struct ParameterField {
    std::string key;   // empty for a line after the key-value line that is not "Key: value"
    std::string value; // unquoted
};

struct ImportedParameters {
    ParametersSource source = ParametersSource::None;
    // One image's parameters: exactly one prompt, the seed of that image. Fields that were missing or named in
    // `problems` keep GenerationRequest's defaults. Sizes are taken as written, even when the engine would refuse them
    // (request.validate() says why; the GUI explains the snapping).
    GenerationRequest request;
    std::string sampler;   // "Euler a", "euler_a karras"; empty when not given
    std::string modelName; // "Model" (stable-diffusion.cpp: "Unet" when "Model" is empty); empty when not given
    // Every key-value that is not mapped above, in the order written (a key repeated after a recognised one lands here
    // too). For the JSON source: the metadata's other keys ("app", ...).
    std::vector<ParameterField> unknownFields;
    // Invalid values, each a sentence that says what is wrong ("Seed -1 is out of range: ..."). The rest of the
    // parameters are still filled in.
    std::vector<std::string> problems;
    // Things that were worked around: invalid UTF-8 replaced, an unreadable JSON chunk skipped for the text.
    std::vector<std::string> warnings;

    bool found() const { return source != ParametersSource::None; }
};

// Parses the A1111-style text. Never throws for bad input; problems say what is wrong.
ImportedParameters parseParametersText(std::string_view text);

// Parses our JSON chunk (generation_metadata.h: imageMetadata). Never throws for bad input.
ImportedParameters parseZimageJson(std::string_view json);

// Prefers our JSON chunk when present and valid, else the "parameters" text; `source` says which was used. Without
// either, source is None and problems says what the image carries instead.
ImportedParameters importParameters(const std::vector<PngText>& texts);

} // namespace zimage::output
