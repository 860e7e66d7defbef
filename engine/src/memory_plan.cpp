#include <zimage/memory_plan.h>

#include <array>
#include <cmath>
#include <utility>

namespace zimage {
namespace {

constexpr std::array kPlanChoices{std::pair{PlanChoice::Auto, "auto"}, std::pair{PlanChoice::Resident, "resident"},
                                  std::pair{PlanChoice::Sequential, "sequential"},
                                  std::pair{PlanChoice::Stream, "stream"}, std::pair{PlanChoice::Cpu, "cpu"}};
constexpr std::array kTilingChoices{std::pair{TilingChoice::Auto, "auto"}, std::pair{TilingChoice::On, "on"},
                                    std::pair{TilingChoice::Off, "off"}};

template <typename Enum, std::size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) {
    for (const auto& [candidate, name] : table)
        if (candidate == value)
            return name;
    return "?";
}

template <typename Enum, std::size_t N>
bool parseName(const std::array<std::pair<Enum, const char*>, N>& table, std::string_view text, Enum& out) {
    for (const auto& [candidate, name] : table)
        if (text == name) {
            out = candidate;
            return true;
        }
    return false;
}

std::string describeStage(const char* what, const StagePlan& stage) {
    std::string text = std::string(what) + " " + std::string(stagePlacementName(stage.placement));
    if (stage.placement == StagePlacement::Streamed)
        text += " (" + std::to_string(stage.residentLayers) + "/" + std::to_string(stage.layers) + " resident)";
    return text;
}

} // namespace

std::string_view planChoiceName(PlanChoice choice) {
    return nameOf(kPlanChoices, choice);
}

std::string_view tilingChoiceName(TilingChoice choice) {
    return nameOf(kTilingChoices, choice);
}

bool parsePlanChoice(std::string_view text, PlanChoice& out) {
    return parseName(kPlanChoices, text, out);
}

bool parseTilingChoice(std::string_view text, TilingChoice& out) {
    return parseName(kTilingChoices, text, out);
}

std::string_view stagePlacementName(StagePlacement placement) {
    switch (placement) {
    case StagePlacement::Resident:
        return "resident";
    case StagePlacement::Sequential:
        return "sequential";
    case StagePlacement::Streamed:
        return "streamed";
    default:
        return "on the CPU";
    }
}

std::vector<std::string> MemoryOptions::validate() const {
    std::vector<std::string> problems;
    if (vramBudgetGiB && !(std::isfinite(*vramBudgetGiB) && *vramBudgetGiB >= 0.5 && *vramBudgetGiB <= 4096.0))
        problems.push_back("The VRAM budget must be between 0.5 and 4096 GiB (or left unset to use the free memory).");
    if (vaeTileSize != 0 && (vaeTileSize < kMinVaeTileSize || vaeTileSize > kMaxVaeTileSize || vaeTileSize % 64 != 0))
        problems.push_back("The VAE tile size " + std::to_string(vaeTileSize) + " must be a multiple of 64 between " +
                           std::to_string(kMinVaeTileSize) + " and " + std::to_string(kMaxVaeTileSize) +
                           " pixels (or 0 to pick it from the budget).");
    if (!(std::isfinite(memoryFraction) && memoryFraction >= 0.0 && memoryFraction <= 1.0))
        problems.push_back("The memory fraction must be between 0 and 1 (0 = no cap).");
    if (vaeTiling == TilingChoice::Off && vaeTileSize != 0)
        problems.push_back("A VAE tile size was given but tiling is off: turn tiling on or auto, or drop the size.");
    return problems;
}

std::string MemoryPlan::summary() const {
    std::string text = std::string(planChoiceName(kind)) + ": " + describeStage("text encoder", textEncoder) + ", " +
                       describeStage("DiT", transformer) + ", VAE ";
    text += vaeTiled ? "tiled " + std::to_string(vaeTileSize) + " px" : "untiled";
    return text;
}

} // namespace zimage
