#pragma once
// What 'generate' writes: one PNG per image (atomically, with metadata) and, on request, a safetensors file of the
// noise, every step's latents, the final latents and the float image. It observes the generation to collect the
// latents, so the engine API stays free of file formats.

#include <zimage/progress.h>
#include <zimage/result.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace zimage::cli {

class OutputWriter : public Observer {
public:
    OutputWriter(std::filesystem::path outputFolder, std::filesystem::path latentsFile);

    // Creates the folder if needed and proves it writable; throws UsageError with what to do otherwise.
    void checkWritable() const;
    // Writes the PNGs (and the latents file); returns the PNG paths. Names never overwrite existing files.
    std::vector<std::filesystem::path> write(const GenerationResult& result, const std::string& modelName) const;

    void onNoise(const LatentAccess& noise) override;
    void onStep(const StepProgress& progress) override;

private:
    void writeLatents(const GenerationResult& result) const;

    std::filesystem::path m_folder;
    std::filesystem::path m_latentsFile;
    std::vector<std::int64_t> m_shape;
    std::vector<float> m_noise;
    std::vector<float> m_stepLatents; // steps x [B, C, h, w]
    int m_steps = 0;
};

// The --json summary: files, seeds, per-stage timings, memory.
nlohmann::json summaryJson(const GenerationResult& result, const std::vector<std::filesystem::path>& files);
nlohmann::json timingsJson(const Timings& timings);
nlohmann::json memoryJson(const MemoryStats& memory);
nlohmann::json memoryOptionsJson(const MemoryOptions& options);

} // namespace zimage::cli
