#pragma once
// The image sizes Z-Image offers, as the official Tongyi-MAI Z-Image demo app lists them (its RES_CHOICES): three
// classes of about the same pixel count as a 1024², 1280² and 1536² square, eleven aspect ratios each. Plain C++ (no
// Qt, no LibTorch), so the form, the command line and the tests share one table.

#include <cstddef>
#include <optional>
#include <span>

namespace zimage::ui {

struct SizePreset {
    int sizeClass; // 1024, 1280 or 1536: the side of the square the preset is grouped with
    int width;     // pixels, a multiple of 16
    int height;
    int aspectWidth; // the ratio the demo labels it with: width * aspectHeight == height * aspectWidth
    int aspectHeight;
};

// Every preset, grouped by class in ascending order (1024 first), in the demo's order within a class.
std::span<const SizePreset> sizePresets();

// The classes in the order of sizePresets().
std::span<const int> sizeClasses();

// The index in sizePresets() of the preset of exactly this size; none for a custom size.
std::optional<std::size_t> findSizePreset(int width, int height);

} // namespace zimage::ui
