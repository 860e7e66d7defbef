// The memory planner's decisions. Weight sizes come from the fixture's real_model_manifest.json (every tensor of
// the real Z-Image-Turbo checkpoints, in bf16): the budgets below are chosen around those sums, so the expected
// placements follow from arithmetic on the real model, not from the planner's own output.

#include "runtime/memory_planner.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <string>

using namespace zimage;
using namespace zimage::runtime;

namespace {

constexpr std::uint64_t kGiB = 1024ull * 1024 * 1024;
constexpr std::uint64_t kMiB = 1024ull * 1024;

std::uint64_t bf16Bytes(const nlohmann::json& shape) {
    std::uint64_t elements = 1;
    for (const auto& side : shape)
        elements *= side.get<std::uint64_t>();
    return elements * 2;
}

// "layers.12.attention.to_q.weight" with prefix "layers." -> 12; -1 when the name does not start with it.
int indexAfter(const std::string& name, const std::string& prefix) {
    if (name.rfind(prefix, 0) != 0)
        return -1;
    return std::stoi(name.substr(prefix.size()));
}

// The footprint the engine builds: the DiT's blocks in execution order (noise refiner, context refiner, main
// layers), the text encoder without its last layer and final norm, the VAE's decoder.
ModelFootprint realFootprint() {
    std::ifstream file(test::fixtureDir() / "real_model_manifest.json");
    const auto manifest = nlohmann::json::parse(file);
    const auto& transformerConfig = manifest["configs"]["transformer"];
    const int refiners = transformerConfig["n_refiner_layers"].get<int>();
    const int layers = transformerConfig["n_layers"].get<int>();
    const int textLayers = manifest["configs"]["text_encoder"]["num_hidden_layers"].get<int>() - 1;

    ModelFootprint footprint;
    footprint.transformerBlockBytes.assign(static_cast<std::size_t>(2 * refiners + layers), 0);
    for (const auto& [name, shape] : manifest["transformer"].items()) {
        const auto bytes = bf16Bytes(shape);
        if (const int i = indexAfter(name, "noise_refiner."); i >= 0)
            footprint.transformerBlockBytes[static_cast<std::size_t>(i)] += bytes;
        else if (const int j = indexAfter(name, "context_refiner."); j >= 0)
            footprint.transformerBlockBytes[static_cast<std::size_t>(refiners + j)] += bytes;
        else if (const int k = indexAfter(name, "layers."); k >= 0)
            footprint.transformerBlockBytes[static_cast<std::size_t>(2 * refiners + k)] += bytes;
        else
            footprint.transformerOtherBytes += bytes;
    }
    footprint.textEncoderLayerBytes.assign(static_cast<std::size_t>(textLayers), 0);
    for (const auto& [name, shape] : manifest["text_encoder"].items()) {
        const int i = indexAfter(name, "model.layers.");
        if (i >= 0 && i < textLayers)
            footprint.textEncoderLayerBytes[static_cast<std::size_t>(i)] += bf16Bytes(shape);
        else if (name.rfind("model.embed_tokens.", 0) == 0)
            footprint.textEncoderOtherBytes += bf16Bytes(shape);
    }
    for (const auto& [name, shape] : manifest["vae"].items())
        if (name.rfind("decoder.", 0) == 0)
            footprint.vaeBytes += bf16Bytes(shape);
    return footprint;
}

std::uint64_t total(const std::vector<std::uint64_t>& values) {
    std::uint64_t sum = 0;
    for (const auto value : values)
        sum += value;
    return sum;
}

// Activation figures of the order the engine estimates at 1024x1024 (measured on the GPU machine: ~0.6 GiB in the
// DiT, ~2 GiB for an untiled bf16 decode, a decode's activations grow with the tile's area).
PlannerInput inputFor(std::uint64_t budget, int width = 1024, int height = 1024) {
    PlannerInput input;
    input.model = realFootprint();
    input.width = width;
    input.height = height;
    input.textEncoderActivationBytes = 200 * kMiB;
    input.transformerActivationBytes = 600 * kMiB * static_cast<std::uint64_t>(width) * height / (1024 * 1024);
    input.vaeDecodeBytes = [width, height](int tile) -> std::uint64_t {
        const std::uint64_t pixels = tile == 0 ? std::uint64_t(width) * height : std::uint64_t(tile) * tile;
        return 2 * kGiB * pixels / (1024 * 1024);
    };
    input.budgetBytes = budget;
    return input;
}

} // namespace

TEST_CASE(manifestFootprintHasTheRealModelsSizes) {
    // Z-Image-Turbo: a 6.15 B-parameter DiT (12.3 GB in bf16) in 34 blocks, a Qwen3-4B text encoder of which 35
    // layers run, a ~160 MB VAE decoder.
    const auto footprint = realFootprint();
    CHECK_EQ(footprint.transformerBlockBytes.size(), std::size_t{34});
    CHECK_EQ(footprint.textEncoderLayerBytes.size(), std::size_t{35});
    const auto dit = total(footprint.transformerBlockBytes) + footprint.transformerOtherBytes;
    CHECK(dit > 12'000'000'000ull && dit < 12'600'000'000ull);
    CHECK(footprint.vaeBytes > 80 * kMiB && footprint.vaeBytes < 200 * kMiB);
}

TEST_CASE(aLargeCardKeepsEverythingResident) {
    const auto plan = planMemory(inputFor(80 * kGiB));
    CHECK(plan.kind == PlanChoice::Resident);
    CHECK(plan.textEncoder.placement == StagePlacement::Resident);
    CHECK(plan.transformer.placement == StagePlacement::Resident);
    CHECK_EQ(plan.transformer.residentLayers, 34);
    CHECK(!plan.vaeTiled);
    CHECK(plan.estimatedPeakBytes <= plan.budgetBytes);
}

TEST_CASE(twentyGibKeepsTheTextEncoderAndTilesTheDecode) {
    // Text encoder ~7.3 GiB + DiT ~11.4 GiB + a 2 GiB untiled decode exceed 20 GiB; a tiled decode (tens of ms)
    // is cheaper than copying the text encoder in for every new prompt (~0.3 s).
    const auto plan = planMemory(inputFor(20 * kGiB));
    CHECK(plan.kind == PlanChoice::Resident);
    CHECK(plan.vaeTiled);
}

TEST_CASE(justBelowResidentTheTextEncoderLeavesTheDevice) {
    // Room for both networks and the text encoder's activations (200 MiB) but not for the DiT's (600 MiB) beside
    // a resident text encoder: the text encoder comes onto the device only while encoding. Streamed and sequential
    // cost the same copy; auto streams (less memory), sequential is there when forced.
    auto input = inputFor(0);
    const auto& model = input.model;
    input.budgetBytes = total(model.textEncoderLayerBytes) + model.textEncoderOtherBytes +
                        total(model.transformerBlockBytes) + model.transformerOtherBytes + model.vaeBytes +
                        input.textEncoderActivationBytes + 64 * kMiB;
    auto plan = planMemory(input);
    CHECK(plan.textEncoder.placement == StagePlacement::Streamed);
    CHECK(plan.transformer.placement == StagePlacement::Resident);
    CHECK(!plan.vaeTiled);
    input.options.plan = PlanChoice::Sequential;
    plan = planMemory(input);
    CHECK(plan.kind == PlanChoice::Sequential);
    CHECK(plan.textEncoder.placement == StagePlacement::Sequential);
    CHECK(plan.transformer.placement == StagePlacement::Resident);
    CHECK(plan.estimatedPeakBytes <= input.budgetBytes);
    // One byte less and the whole text encoder no longer fits beside the DiT.
    input.budgetBytes = plan.estimatedPeakBytes - 1;
    CHECK(planMemory(input).estimatedPeakBytes > input.budgetBytes);
}

TEST_CASE(sixteenGibStreamsTheTextEncoderAndKeepsTheDit) {
    const auto plan = planMemory(inputFor(15 * kGiB));
    CHECK(plan.textEncoder.placement == StagePlacement::Streamed);
    CHECK(plan.transformer.placement == StagePlacement::Resident);
    CHECK(plan.kind == PlanChoice::Stream);
    CHECK(plan.estimatedPeakBytes <= 15 * kGiB);
}

TEST_CASE(smallCardsStreamPartOfTheDit) {
    for (const std::uint64_t budget : {11 * kGiB, 7 * kGiB}) {
        const auto plan = planMemory(inputFor(budget));
        CHECK(plan.transformer.placement == StagePlacement::Streamed);
        CHECK(plan.transformer.residentLayers > 0 && plan.transformer.residentLayers < 34);
        CHECK(plan.estimatedPeakBytes <= budget);
        // A tiled decode (a few ms) is cheaper than streaming the 1.6 GiB of blocks an untiled one displaces.
        CHECK(plan.vaeTiled);
    }
}

TEST_CASE(smallerBudgetsNeverKeepMoreResident) {
    int previous = 35;
    for (std::uint64_t budget = 40 * kGiB; budget >= 4 * kGiB; budget -= kGiB / 2) {
        const auto plan = planMemory(inputFor(budget));
        CHECK(plan.transformer.residentLayers <= previous);
        previous = plan.transformer.residentLayers;
        CHECK(plan.estimatedPeakBytes <= budget);
    }
}

TEST_CASE(twoKImagesAtSixteenGibTileTheDecode) {
    // An untiled 2048x2048 decode needs ~8 GiB here; beside the 11.4 GiB DiT it must be tiled.
    const auto plan = planMemory(inputFor(15 * kGiB, 2048, 2048));
    CHECK(plan.vaeTiled);
    CHECK(plan.vaeTileSize >= 256 && plan.vaeTileSize < 2048);
    CHECK(plan.estimatedPeakBytes <= 15 * kGiB);
}

TEST_CASE(forcedChoicesAreRespected) {
    auto input = inputFor(80 * kGiB);
    input.options.plan = PlanChoice::Stream;
    auto plan = planMemory(input);
    CHECK(plan.textEncoder.placement == StagePlacement::Streamed);

    input.options.plan = PlanChoice::Cpu;
    plan = planMemory(input);
    CHECK(plan.kind == PlanChoice::Cpu);
    CHECK(plan.textEncoder.placement == StagePlacement::Cpu);

    input.options.plan = PlanChoice::Auto;
    input.options.vaeTiling = TilingChoice::On;
    input.options.vaeTileSize = 512;
    plan = planMemory(input);
    CHECK(plan.vaeTiled);
    CHECK_EQ(plan.vaeTileSize, 512);

    // Forcing "resident" on a card it cannot fit still gives resident, with the reason (the OOM retry takes over).
    input = inputFor(8 * kGiB);
    input.options.plan = PlanChoice::Resident;
    plan = planMemory(input);
    CHECK(plan.kind == PlanChoice::Resident);
    CHECK(plan.estimatedPeakBytes > 8 * kGiB);
    bool explained = false;
    for (const auto& reason : plan.reasons)
        explained = explained || reason.find("nothing fits") != std::string::npos;
    CHECK(explained);

    input = inputFor(7 * kGiB);
    input.options.vaeTiling = TilingChoice::Off;
    CHECK(!planMemory(input).vaeTiled);
}

TEST_CASE(aTileAsLargeAsTheImageIsNoTiling) {
    auto input = inputFor(80 * kGiB, 512, 512);
    input.options.vaeTiling = TilingChoice::On;
    input.options.vaeTileSize = 1024;
    CHECK(!planMemory(input).vaeTiled);
}

TEST_CASE(theCpuPlansOnlyTiling) {
    auto input = inputFor(64 * kGiB);
    input.onDevice = false;
    auto plan = planMemory(input);
    CHECK(plan.kind == PlanChoice::Resident);
    CHECK(!plan.vaeTiled);
    // 1 GiB of host memory free: the 2 GiB decode must be tiled.
    input.budgetBytes = kGiB;
    plan = planMemory(input);
    CHECK(plan.vaeTiled);
    CHECK(plan.estimatedPeakBytes <= kGiB);
}

TEST_CASE(cheaperPlanNeedsLessAndEnds) {
    const auto input = inputFor(20 * kGiB);
    const auto first = planMemory(input);
    const auto second = cheaperPlan(input, first);
    REQUIRE(second.has_value());
    CHECK(second->estimatedPeakBytes < first.estimatedPeakBytes);
    CHECK(second->reasons.front().find("retry after running out of memory") != std::string::npos);
    // Repeating it walks down to the floor and then stops.
    auto plan = *second;
    int retries = 0;
    while (auto next = cheaperPlan(input, plan)) {
        CHECK(next->estimatedPeakBytes < plan.estimatedPeakBytes);
        plan = *next;
        REQUIRE(++retries < 50);
    }
    CHECK(plan.transformer.residentLayers == 0 || plan.textEncoder.placement == StagePlacement::Cpu);
}

TEST_CASE(streamedLayersAreSpreadEvenly) {
    auto mask = residentMask(34, 24);
    int resident = 0;
    for (const bool kept : mask)
        resident += kept ? 1 : 0;
    CHECK_EQ(resident, 24);
    for (std::size_t i = 1; i < mask.size(); ++i)
        CHECK(mask[i] || mask[i - 1]); // no two streamed neighbours while fewer than half stream
    mask = residentMask(34, 0);
    for (const bool kept : mask)
        CHECK(!kept);
    mask = residentMask(34, 34);
    for (const bool kept : mask)
        CHECK(kept);
    CHECK(residentMask(0, 5).empty());
    CHECK_EQ(residentMask(3, 7).size(), std::size_t{3});
}

TEST_CASE(memoryOptionsAreValidated) {
    MemoryOptions options;
    CHECK(options.validate().empty());
    options.vramBudgetGiB = 0.1;
    options.vaeTileSize = 500;
    options.memoryFraction = 1.5;
    CHECK_EQ(options.validate().size(), std::size_t{3});
    PlanChoice plan = PlanChoice::Auto;
    CHECK(parsePlanChoice("stream", plan) && plan == PlanChoice::Stream);
    CHECK(!parsePlanChoice("fast", plan));
    TilingChoice tiling = TilingChoice::Auto;
    CHECK(parseTilingChoice("off", tiling) && tiling == TilingChoice::Off);
}
