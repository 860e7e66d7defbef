#include "runtime/memory_planner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace zimage::runtime {
namespace {

// Host-to-device copies from pinned memory: ~25 GB/s on PCIe 4.0 x16, ~50 on 5.0. The lower figure keeps the
// planner from streaming on the assumption of a fast bus.
constexpr double kAssumedCopyBytesPerMs = 25.0e6;
// The text encoder on the CPU (a 4B-parameter model over a few hundred tokens): seconds.
constexpr double kCpuTextEncoderMs = 4000.0;
// Decoding one megapixel with the Flux VAE on a current GPU; tiles redo their overlaps.
constexpr double kVaeMsPerMegapixel = 100.0;
constexpr double kVaeMsPerTile = 2.0;
constexpr int kStreamSlots = 2;

struct Candidate {
    StagePlacement textEncoder = StagePlacement::Resident;
    int transformerResident = 0;
    int tileSize = 0; // 0 = untiled
    std::uint64_t peak = 0;
    double costMs = 0.0;
    int preference = 0; // tie-break: lower is simpler
};

std::uint64_t sum(const std::vector<std::uint64_t>& values) {
    return std::accumulate(values.begin(), values.end(), std::uint64_t{0});
}

std::uint64_t largest(const std::vector<std::uint64_t>& values) {
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

// Tiles of `tile` with a quarter overlap along a side of `side` pixels (the tiled decoder's grid).
int tilesAlong(int side, int tile) {
    if (side <= tile)
        return 1;
    const int overlap = tile / 4;
    return 1 + (side - tile + (tile - overlap) - 1) / (tile - overlap);
}

double tilingCostMs(const PlannerInput& input, int tileSize) {
    if (tileSize == 0)
        return 0.0;
    const int nx = tilesAlong(input.width, tileSize), ny = tilesAlong(input.height, tileSize);
    const double tiledPixels =
        static_cast<double>(nx) * std::min(tileSize, input.width) * ny * std::min(tileSize, input.height);
    const double extraPixels = tiledPixels - static_cast<double>(input.width) * input.height;
    return kVaeMsPerMegapixel * extraPixels / 1.0e6 + kVaeMsPerTile * nx * ny;
}

class Evaluator {
public:
    explicit Evaluator(const PlannerInput& input)
        : m_input(input)
        , m_model(input.model)
        , m_textLayers(sum(input.model.textEncoderLayerBytes))
        , m_textWhole(m_textLayers + input.model.textEncoderOtherBytes) {}

    std::uint64_t residentTransformerBytes(int resident) const {
        const auto mask = residentMask(static_cast<int>(m_model.transformerBlockBytes.size()), resident);
        std::uint64_t bytes = m_model.transformerOtherBytes;
        for (std::size_t i = 0; i < mask.size(); ++i)
            bytes += mask[i] ? m_model.transformerBlockBytes[i] : 0;
        return bytes;
    }

    std::uint64_t streamSlotBytes(int resident) const {
        const auto mask = residentMask(static_cast<int>(m_model.transformerBlockBytes.size()), resident);
        std::uint64_t biggest = 0;
        for (std::size_t i = 0; i < mask.size(); ++i)
            biggest = mask[i] ? biggest : std::max(biggest, m_model.transformerBlockBytes[i]);
        return kStreamSlots * biggest;
    }

    std::uint64_t peak(StagePlacement text, int transformerResident, int tileSize) const {
        const auto dit = residentTransformerBytes(transformerResident);
        const auto vae = m_model.vaeBytes;
        const std::uint64_t textAfter = text == StagePlacement::Resident ? m_textWhole : 0;
        std::uint64_t textDuring = 0;
        switch (text) {
        case StagePlacement::Resident:
        case StagePlacement::Sequential:
            textDuring = m_textWhole;
            break;
        case StagePlacement::Streamed:
            textDuring = kStreamSlots * largest(m_model.textEncoderLayerBytes);
            break;
        case StagePlacement::Cpu:
            break;
        }
        const auto textStage =
            textDuring + dit + vae + (text == StagePlacement::Cpu ? 0 : m_input.textEncoderActivationBytes);
        const auto ditStage =
            textAfter + dit + streamSlotBytes(transformerResident) + vae + m_input.transformerActivationBytes;
        const auto decodeStage = textAfter + dit + vae + m_input.vaeDecodeBytes(tileSize);
        return std::max({textStage, ditStage, decodeStage});
    }

    double cost(StagePlacement text, int transformerResident, int tileSize) const {
        const auto blocks = static_cast<int>(m_model.transformerBlockBytes.size());
        const auto streamedPerStep = residentTransformerBytes(blocks) - residentTransformerBytes(transformerResident);
        double ms = static_cast<double>(streamedPerStep) * m_input.steps / kAssumedCopyBytesPerMs;
        if (text == StagePlacement::Sequential || text == StagePlacement::Streamed)
            ms += static_cast<double>(m_textLayers) / kAssumedCopyBytesPerMs;
        if (text == StagePlacement::Cpu)
            ms += kCpuTextEncoderMs;
        return ms + tilingCostMs(m_input, tileSize);
    }

private:
    const PlannerInput& m_input;
    const ModelFootprint& m_model;
    std::uint64_t m_textLayers;
    std::uint64_t m_textWhole;
};

std::vector<StagePlacement> allowedTextPlacements(PlanChoice choice) {
    switch (choice) {
    case PlanChoice::Resident:
        return {StagePlacement::Resident};
    case PlanChoice::Sequential:
        return {StagePlacement::Sequential};
    case PlanChoice::Stream:
        return {StagePlacement::Streamed};
    case PlanChoice::Cpu:
        return {StagePlacement::Cpu};
    default:
        // Streamed before sequential on equal cost: both copy the text encoder in once per new prompt, streaming
        // needs two layers' room instead of the whole encoder's and overlapped better on the H200 (new prompt
        // 184 ms streamed, 325 ms sequential). Sequential stays available as a forced choice.
        return {StagePlacement::Resident, StagePlacement::Streamed, StagePlacement::Sequential, StagePlacement::Cpu};
    }
}

std::vector<int> allowedTileSizes(const PlannerInput& input) {
    const auto& options = input.options;
    if (options.vaeTiling == TilingChoice::Off)
        return {0};
    const int longestSide = std::max(input.width, input.height);
    std::vector<int> sizes;
    if (options.vaeTileSize != 0) {
        // A tile covering the whole image is an untiled decode.
        if (options.vaeTileSize < longestSide)
            sizes.push_back(options.vaeTileSize);
    } else {
        for (const int tile : vaeTileCandidates())
            if (tile < longestSide)
                sizes.push_back(tile);
    }
    if (options.vaeTiling == TilingChoice::Auto || sizes.empty())
        sizes.insert(sizes.begin(), 0);
    return sizes;
}

PlanChoice kindOf(StagePlacement text, int transformerResident, int blocks) {
    if (text == StagePlacement::Cpu)
        return PlanChoice::Cpu;
    if (text == StagePlacement::Streamed || transformerResident < blocks)
        return PlanChoice::Stream;
    return text == StagePlacement::Sequential ? PlanChoice::Sequential : PlanChoice::Resident;
}

MemoryPlan toPlan(const PlannerInput& input, const Candidate& chosen) {
    const auto textLayers = static_cast<int>(input.model.textEncoderLayerBytes.size());
    const auto blocks = static_cast<int>(input.model.transformerBlockBytes.size());
    MemoryPlan plan;
    plan.kind = kindOf(chosen.textEncoder, chosen.transformerResident, blocks);
    plan.textEncoder = {chosen.textEncoder, textLayers,
                        chosen.textEncoder == StagePlacement::Resident ? textLayers : 0};
    plan.transformer = {chosen.transformerResident == blocks ? StagePlacement::Resident : StagePlacement::Streamed,
                        blocks, chosen.transformerResident};
    plan.vaeTiled = chosen.tileSize != 0;
    plan.vaeTileSize = chosen.tileSize;
    plan.budgetBytes = input.budgetBytes;
    plan.estimatedPeakBytes = chosen.peak;
    return plan;
}

MemoryPlan planOnCpu(const PlannerInput& input) {
    // Weights stay where they are (host memory); only a decode too large for the host's memory gets tiled.
    MemoryPlan plan;
    plan.kind = PlanChoice::Resident;
    const auto textLayers = static_cast<int>(input.model.textEncoderLayerBytes.size());
    const auto blocks = static_cast<int>(input.model.transformerBlockBytes.size());
    plan.textEncoder = {StagePlacement::Resident, textLayers, textLayers};
    plan.transformer = {StagePlacement::Resident, blocks, blocks};
    plan.budgetBytes = input.budgetBytes;
    for (const int tile : allowedTileSizes(input)) {
        plan.vaeTiled = tile != 0;
        plan.vaeTileSize = tile;
        plan.estimatedPeakBytes = input.vaeDecodeBytes(tile);
        if (plan.estimatedPeakBytes <= input.budgetBytes)
            break;
    }
    plan.reasons.push_back("running on the CPU: weights stay in host memory");
    if (plan.vaeTiled)
        plan.reasons.push_back("VAE decode tiled: an untiled decode needs " + formatGiB(input.vaeDecodeBytes(0)) +
                               " of host memory, " + formatGiB(input.budgetBytes) + " available");
    return plan;
}

} // namespace

nlohmann::json planToJson(const MemoryPlan& plan) {
    const auto stage = [](const StagePlan& stagePlan) {
        return nlohmann::json{{"placement", stagePlacementName(stagePlan.placement)},
                              {"layers", stagePlan.layers},
                              {"resident_layers", stagePlan.residentLayers}};
    };
    constexpr double kMiB = 1024.0 * 1024.0;
    return {{"kind", planChoiceName(plan.kind)},
            {"summary", plan.summary()},
            {"text_encoder", stage(plan.textEncoder)},
            {"transformer", stage(plan.transformer)},
            {"vae_tiled", plan.vaeTiled},
            {"vae_tile_size", plan.vaeTileSize},
            {"budget_mb", static_cast<double>(plan.budgetBytes) / kMiB},
            {"estimated_peak_mb", static_cast<double>(plan.estimatedPeakBytes) / kMiB},
            {"reasons", plan.reasons}};
}

std::string formatGiB(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return text;
}

std::vector<int> vaeTileCandidates() {
    return {1024, 768, 512, 384, 256};
}

std::vector<bool> residentMask(int layers, int resident) {
    layers = std::max(layers, 0);
    resident = std::clamp(resident, 0, layers);
    std::vector<bool> mask(static_cast<std::size_t>(layers), true);
    const int streamed = layers - resident;
    // Streamed layer j sits at the middle of the j-th of `streamed` equal spans: evenly spread, never adjacent
    // while fewer than half stream.
    for (int j = 0; j < streamed; ++j) {
        const auto index = static_cast<std::size_t>((2 * j + 1) * layers / (2 * streamed));
        mask[index] = false;
    }
    return mask;
}

MemoryPlan planMemory(const PlannerInput& input) {
    if (!input.onDevice)
        return planOnCpu(input);
    const Evaluator evaluator(input);
    const auto blocks = static_cast<int>(input.model.transformerBlockBytes.size());
    const bool transformerMustBeResident =
        input.options.plan == PlanChoice::Resident || input.options.plan == PlanChoice::Sequential;

    std::optional<Candidate> best;
    Candidate leastMemory;
    leastMemory.peak = std::numeric_limits<std::uint64_t>::max();
    int preference = 0;
    for (const auto text : allowedTextPlacements(input.options.plan)) {
        for (const int tile : allowedTileSizes(input)) {
            ++preference;
            // The most DiT blocks that fit (the peak only grows with them).
            int resident = blocks;
            const int lowest = transformerMustBeResident ? blocks : 0;
            while (resident > lowest && evaluator.peak(text, resident, tile) > input.budgetBytes)
                --resident;
            Candidate candidate{
                text,      resident, tile, evaluator.peak(text, resident, tile), evaluator.cost(text, resident, tile),
                preference};
            if (candidate.peak < leastMemory.peak)
                leastMemory = candidate;
            if (candidate.peak > input.budgetBytes)
                continue;
            if (!best || candidate.costMs < best->costMs - 1e-6 ||
                (std::abs(candidate.costMs - best->costMs) <= 1e-6 && candidate.preference < best->preference))
                best = candidate;
        }
    }

    auto plan = toPlan(input, best ? *best : leastMemory);
    plan.reasons.push_back("budget " + formatGiB(input.budgetBytes) + ", estimated peak " +
                           formatGiB(plan.estimatedPeakBytes));
    if (!best)
        plan.reasons.push_back("nothing fits the budget; trying the plan that needs the least memory");
    if (input.options.plan != PlanChoice::Auto)
        plan.reasons.push_back("plan forced to " + std::string(planChoiceName(input.options.plan)));
    if (plan.transformer.placement == StagePlacement::Streamed)
        plan.reasons.push_back("the DiT (" + formatGiB(evaluator.residentTransformerBytes(blocks)) +
                               ") does not fit beside the activations: " +
                               std::to_string(blocks - plan.transformer.residentLayers) + " blocks streamed");
    if (plan.vaeTiled)
        plan.reasons.push_back("VAE decode tiled at " + std::to_string(plan.vaeTileSize) + " px: untiled it needs " +
                               formatGiB(input.vaeDecodeBytes(0)));
    return plan;
}

std::optional<MemoryPlan> cheaperPlan(const PlannerInput& input, const MemoryPlan& failed) {
    auto retry = input;
    retry.options.plan = PlanChoice::Auto;
    if (retry.options.vaeTiling == TilingChoice::Off)
        retry.options.vaeTiling = TilingChoice::Auto;
    // The estimate was too optimistic by an unknown amount: plan for 70 % of what the failed plan was thought to need.
    retry.budgetBytes = std::min(input.budgetBytes, failed.estimatedPeakBytes / 10 * 7);
    auto plan = planMemory(retry);
    const bool same = plan.textEncoder.placement == failed.textEncoder.placement &&
                      plan.transformer.residentLayers == failed.transformer.residentLayers &&
                      plan.vaeTiled == failed.vaeTiled && plan.vaeTileSize == failed.vaeTileSize;
    if (same || plan.estimatedPeakBytes >= failed.estimatedPeakBytes)
        return std::nullopt;
    plan.reasons.insert(plan.reasons.begin(), "retry after running out of memory with: " + failed.summary());
    return plan;
}

} // namespace zimage::runtime
