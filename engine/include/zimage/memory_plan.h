#pragma once
// How the engine fits the model into a card: the user's memory settings and the plan the planner picked for a
// generation (returned with every result, written to the generation log).
//
// Per stage, from fastest to cheapest in device memory:
//   resident    the weights stay on the device;
//   sequential  (text encoder) on the device only while encoding, in pinned host memory otherwise;
//   streamed    as many layers resident as fit, the others copied from pinned host memory ahead of use on a side
//               stream (double-buffered, overlapping compute);
//   cpu         (text encoder) runs on the CPU from host memory; the device never holds it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zimage {

// What the user forces; Auto lets the planner pick the fastest plan that fits.
enum class PlanChoice { Auto, Resident, Sequential, Stream, Cpu };
enum class TilingChoice { Auto, On, Off };

std::string_view planChoiceName(PlanChoice choice);
std::string_view tilingChoiceName(TilingChoice choice);
bool parsePlanChoice(std::string_view text, PlanChoice& out);
bool parseTilingChoice(std::string_view text, TilingChoice& out);

inline constexpr int kMinVaeTileSize = 256;  // image pixels
inline constexpr int kMaxVaeTileSize = 4096; // image pixels

struct MemoryOptions {
    PlanChoice plan = PlanChoice::Auto;
    // Device memory the engine may use, in GiB; unset: the device's free memory (plus what the engine already
    // holds) minus a safety margin.
    std::optional<double> vramBudgetGiB;
    TilingChoice vaeTiling = TilingChoice::Auto;
    int vaeTileSize = 0; // image pixels, a multiple of 64 in [kMinVaeTileSize, kMaxVaeTileSize]; 0 = from the budget
    // Caps the CUDA caching allocator at this fraction of the device (act as a smaller card); 0 = no cap.
    double memoryFraction = 0.0;

    // Every problem, each a sentence that says what to change. Empty when valid.
    std::vector<std::string> validate() const;
};

enum class StagePlacement { Resident, Sequential, Streamed, Cpu };
std::string_view stagePlacementName(StagePlacement placement);

struct StagePlan {
    StagePlacement placement = StagePlacement::Resident;
    int layers = 0;         // layers (text-encoder decoder layers, DiT blocks) the stage has
    int residentLayers = 0; // of those, kept on the device between uses
};

struct MemoryPlan {
    PlanChoice kind = PlanChoice::Resident; // never Auto: what was picked
    StagePlan textEncoder;
    StagePlan transformer;
    bool vaeTiled = false;
    int vaeTileSize = 0; // image pixels, when tiled
    std::uint64_t budgetBytes = 0;
    std::uint64_t estimatedPeakBytes = 0;
    std::vector<std::string> reasons; // why this plan: what fits, what did not

    // "stream: text encoder streamed (0/35 resident), DiT streamed (20/34 resident), VAE tiled 512 px"
    std::string summary() const;
};

} // namespace zimage
