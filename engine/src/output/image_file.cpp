#include "output/image_file.h"

#include "output/generation_metadata.h"

#include <ctime>
#include <string>

namespace zimage::output {

PngImage generatedPng(const GenerationResult& result, std::size_t imageIndex, std::vector<std::uint8_t> rgb,
                      std::string_view modelName, std::string_view appVersion) {
    const auto& image = result.images.at(imageIndex);
    PngImage png{image.width, image.height, std::move(rgb), {}};
    png.texts.push_back({std::string(kParametersKey), a1111Parameters(result.request, imageIndex, modelName)});
    auto metadata = imageMetadata(result.request, imageIndex, modelName, appVersion);
    // A tiled decode differs slightly from an untiled one: reproducing the pixels needs the same choice.
    metadata["vae_tiled"] = result.plan.vaeTiled;
    if (result.plan.vaeTiled)
        metadata["vae_tile_size"] = result.plan.vaeTileSize;
    png.texts.push_back({std::string(kRequestJsonKey), metadata.dump()});
    return png;
}

std::filesystem::path freshImagePath(const std::filesystem::path& folder, std::uint64_t seed) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
    const std::string base = std::string("zimage-") + stamp + "-" + std::to_string(seed);
    auto path = folder / (base + ".png");
    for (int i = 2; std::filesystem::exists(path); ++i)
        path = folder / (base + "-" + std::to_string(i) + ".png");
    return path;
}

} // namespace zimage::output
