#include "generate_outputs.h"

#include "arguments.h"
#include "io/safetensors_writer.h"
#include "output/image_file.h"
#include "output/png_file.h"
#include "runtime/memory_planner.h"

#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>

namespace zimage::cli {
namespace {

std::span<const std::byte> asBytes(const std::vector<float>& values) {
    return std::as_bytes(std::span<const float>(values));
}

} // namespace

OutputWriter::OutputWriter(std::filesystem::path outputFolder, std::filesystem::path latentsFile)
    : m_folder(std::move(outputFolder))
    , m_latentsFile(std::move(latentsFile)) {}

void OutputWriter::checkWritable() const {
    std::error_code error;
    std::filesystem::create_directories(m_folder, error);
    const auto probe = m_folder / ".zimage-write-test";
    std::ofstream(probe).put('x');
    if (!std::filesystem::exists(probe))
        throw UsageError("cannot write to the output folder '" + m_folder.string() +
                         "': choose a folder you can write to with --output");
    std::filesystem::remove(probe, error);
}

void OutputWriter::onNoise(const LatentAccess& noise) {
    if (m_latentsFile.empty())
        return;
    m_shape = noise.shape();
    m_noise = noise.copyLatents();
}

void OutputWriter::onStep(const StepProgress& progress) {
    if (m_latentsFile.empty())
        return;
    const auto latents = progress.latents->copyLatents();
    m_stepLatents.insert(m_stepLatents.end(), latents.begin(), latents.end());
    m_steps = progress.step;
}

std::vector<std::filesystem::path> OutputWriter::write(const GenerationResult& result,
                                                       const std::string& modelName) const {
    std::vector<std::filesystem::path> files;
    for (std::size_t i = 0; i < result.images.size(); ++i) {
        auto png = output::generatedPng(result, i, result.images[i].rgb, modelName, ZIMAGE_VERSION);
        const auto path = output::freshImagePath(m_folder, result.images[i].seed);
        output::writePng(path, png);
        files.push_back(path);
    }
    if (!m_latentsFile.empty())
        writeLatents(result);
    return files;
}

void OutputWriter::writeLatents(const GenerationResult& result) const {
    std::vector<float> image;
    for (const auto& generated : result.images)
        image.insert(image.end(), generated.pixels.begin(), generated.pixels.end());
    const auto latentSize = m_noise.size();
    const std::vector<float> finalLatents(m_stepLatents.end() - static_cast<std::ptrdiff_t>(latentSize),
                                          m_stepLatents.end());
    std::vector<std::int64_t> stepShape = {m_steps};
    stepShape.insert(stepShape.end(), m_shape.begin(), m_shape.end());
    const std::int64_t batch = static_cast<std::int64_t>(result.images.size());
    const std::vector<std::int64_t> imageShape = {batch, 3, result.request.height, result.request.width};
    io::writeSafetensors(m_latentsFile, {{"noise", io::DType::F32, m_shape, asBytes(m_noise)},
                                         {"step_latents", io::DType::F32, stepShape, asBytes(m_stepLatents)},
                                         {"final_latents", io::DType::F32, m_shape, asBytes(finalLatents)},
                                         {"image", io::DType::F32, imageShape, asBytes(image)}});
}

nlohmann::json timingsJson(const Timings& timings) {
    return {{"text_encoder_ms", timings.textEncoderMs},
            {"dit_step_ms", timings.stepMs},
            {"denoise_ms", timings.denoiseMs},
            {"vae_decode_ms", timings.vaeDecodeMs},
            {"total_ms", timings.totalMs}};
}

nlohmann::json memoryJson(const MemoryStats& memory) {
    constexpr double kMiB = 1024.0 * 1024.0;
    nlohmann::json out = {{"host_rss_mb", memory.hostRssBytes / kMiB},
                          {"host_peak_rss_mb", memory.peakHostRssBytes / kMiB},
                          {"host_total_mb", memory.hostTotalBytes / kMiB},
                          {"host_available_mb", memory.hostAvailableBytes / kMiB},
                          {"device_source", std::string(deviceMemorySourceName(memory.deviceSource))}};
    if (memory.deviceAvailable) {
        out["device_total_mb"] = memory.deviceTotalBytes / kMiB;
        out["device_free_mb"] = memory.deviceFreeBytes / kMiB;
        out["device_used_mb"] = memory.deviceUsedBytes / kMiB;
        out["peak_allocated_mb"] = memory.peakAllocatedBytes / kMiB;
        out["peak_reserved_mb"] = memory.peakReservedBytes / kMiB;
    }
    return out;
}

nlohmann::json summaryJson(const GenerationResult& result, const std::vector<std::filesystem::path>& files) {
    nlohmann::json images = nlohmann::json::array();
    for (std::size_t i = 0; i < result.images.size(); ++i)
        images.push_back({{"file", i < files.size() ? files[i].string() : ""},
                          {"seed", result.images[i].seed},
                          {"prompt", result.images[i].prompt}});
    return {{"images", images},
            {"device", result.deviceName},
            {"precision", precisionName(result.request.precision)},
            {"text_embeddings_cached", result.textEmbeddingsCached},
            {"timings", timingsJson(result.timings)},
            {"memory", memoryJson(result.memory)},
            {"plan", runtime::planToJson(result.plan)},
            {"attempts", result.attempts},
            {"warnings", result.warnings}};
}

nlohmann::json memoryOptionsJson(const MemoryOptions& options) {
    return {{"plan", planChoiceName(options.plan)},
            {"vram_budget_gib", options.vramBudgetGiB ? nlohmann::json(*options.vramBudgetGiB) : nlohmann::json()},
            {"vae_tiling", tilingChoiceName(options.vaeTiling)},
            {"tile_size", options.vaeTileSize},
            {"memory_fraction", options.memoryFraction}};
}

} // namespace zimage::cli
