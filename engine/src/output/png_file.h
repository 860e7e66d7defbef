#pragma once
// PNG files with text metadata, via libpng. Text goes in tEXt chunks when it is Latin-1 and in iTXt (UTF-8) when it
// is not, as PIL (and so AUTOMATIC1111 and Forge) writes it, so Chinese prompts survive the round trip.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace zimage::output {

struct PngText {
    std::string key;
    std::string value; // UTF-8
};

struct PngImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgb; // 8-bit RGB, row-major, interleaved
    std::vector<PngText> texts;
};

// Writes atomically: a temporary file next to `path`, flushed, then renamed over it. Throws std::runtime_error
// naming the path and the reason (no such folder, permission denied, disk full).
void writePng(const std::filesystem::path& path, const PngImage& image);
// Reads an 8-bit RGB(A)/gray PNG (converted to RGB) and its tEXt/iTXt/zTXt chunks. Throws std::runtime_error.
PngImage readPng(const std::filesystem::path& path);

} // namespace zimage::output
