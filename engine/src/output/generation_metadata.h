#pragma once
// The metadata an image carries so that it can be reproduced: the A1111-style "parameters" text that AUTOMATIC1111,
// Forge, stable-diffusion.cpp and many viewers read, and a JSON document with the full request.

#include <zimage/request.h>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace zimage::output {

// PNG text keys.
inline constexpr std::string_view kParametersKey = "parameters";
inline constexpr std::string_view kRequestJsonKey = "zimage";

// Line 1 the prompt; "Negative prompt: ..." when guidance is on; last line "Steps: 8, Sampler: Euler, CFG scale: 0,
// Seed: 43, Size: 1024x1024, Model: ..." (values containing ',' or ':' JSON-quoted). `imageIndex` picks the prompt
// and the seed (seed + index).
std::string a1111Parameters(const GenerationRequest& request, std::size_t imageIndex, std::string_view modelName);

nlohmann::json requestToJson(const GenerationRequest& request);
// The inverse; unknown keys are ignored, missing keys keep their defaults. Throws std::invalid_argument naming the
// key when a value has the wrong type.
GenerationRequest requestFromJson(const nlohmann::json& json);

// The JSON chunk of one image: {"request": ..., "image_index", "seed", "prompt", "model", "app": "zimage-studio X"}.
nlohmann::json imageMetadata(const GenerationRequest& request, std::size_t imageIndex, std::string_view modelName,
                             std::string_view appVersion);

} // namespace zimage::output
