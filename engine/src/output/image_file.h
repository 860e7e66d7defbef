#pragma once
// One generated image as a file: the PNG with its metadata (the A1111-style "parameters" text and our JSON chunk) and a
// fresh name for it in the output folder. Shared by the CLI and the desktop app, so both write the same files.

#include "output/png_file.h"

#include <zimage/result.h>

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace zimage::output {

// Image `imageIndex` of `result` with `rgb` (height x width x 3 bytes) as its pixels: the GUI keeps them apart from the
// result, the CLI passes result.images[imageIndex].rgb.
PngImage generatedPng(const GenerationResult& result, std::size_t imageIndex, std::vector<std::uint8_t> rgb,
                      std::string_view modelName, std::string_view appVersion);

// <folder>/zimage-20261121-153012-<seed>.png (local time), with -2, -3 ... appended when taken.
std::filesystem::path freshImagePath(const std::filesystem::path& folder, std::uint64_t seed);

} // namespace zimage::output
