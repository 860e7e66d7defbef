#include "size_presets.h"

#include <array>

namespace zimage::ui {
namespace {

// Copied from RES_CHOICES of the Tongyi-MAI Z-Image demo (app.py), in its order.
constexpr std::array kPresets{
    SizePreset{1024, 1024, 1024, 1, 1}, SizePreset{1024, 1152, 896, 9, 7},   SizePreset{1024, 896, 1152, 7, 9},
    SizePreset{1024, 1152, 864, 4, 3},  SizePreset{1024, 864, 1152, 3, 4},   SizePreset{1024, 1248, 832, 3, 2},
    SizePreset{1024, 832, 1248, 2, 3},  SizePreset{1024, 1280, 720, 16, 9},  SizePreset{1024, 720, 1280, 9, 16},
    SizePreset{1024, 1344, 576, 21, 9}, SizePreset{1024, 576, 1344, 9, 21},

    SizePreset{1280, 1280, 1280, 1, 1}, SizePreset{1280, 1440, 1120, 9, 7},  SizePreset{1280, 1120, 1440, 7, 9},
    SizePreset{1280, 1472, 1104, 4, 3}, SizePreset{1280, 1104, 1472, 3, 4},  SizePreset{1280, 1536, 1024, 3, 2},
    SizePreset{1280, 1024, 1536, 2, 3}, SizePreset{1280, 1536, 864, 16, 9},  SizePreset{1280, 864, 1536, 9, 16},
    SizePreset{1280, 1680, 720, 21, 9}, SizePreset{1280, 720, 1680, 9, 21},

    SizePreset{1536, 1536, 1536, 1, 1}, SizePreset{1536, 1728, 1344, 9, 7},  SizePreset{1536, 1344, 1728, 7, 9},
    SizePreset{1536, 1728, 1296, 4, 3}, SizePreset{1536, 1296, 1728, 3, 4},  SizePreset{1536, 1872, 1248, 3, 2},
    SizePreset{1536, 1248, 1872, 2, 3}, SizePreset{1536, 2048, 1152, 16, 9}, SizePreset{1536, 1152, 2048, 9, 16},
    SizePreset{1536, 2016, 864, 21, 9}, SizePreset{1536, 864, 2016, 9, 21},
};

constexpr std::array kClasses{1024, 1280, 1536};

} // namespace

std::span<const SizePreset> sizePresets() {
    return kPresets;
}

std::span<const int> sizeClasses() {
    return kClasses;
}

std::optional<std::size_t> findSizePreset(int width, int height) {
    for (std::size_t i = 0; i < kPresets.size(); ++i)
        if (kPresets[i].width == width && kPresets[i].height == height)
            return i;
    return std::nullopt;
}

} // namespace zimage::ui
