// zimage-cli bench: performance measurements as JSON (performance goals live here, never in timed tests).
//   bench [--model PATH | --random-weights [--manifest F] [--tokenizer DIR]] --width W --height H --steps N
//         [--runs R] [--precision P] [--device D] [--fresh-prompts] [--json]
//   bench --tokenizer-only --model DIR [--json]

#include "arguments.h"
#include "commands.h"
#include "engine_options.h"
#include "generate_outputs.h"
#include "runtime/memory_planner.h"
#include "sigint_cancel.h"
#include "text/tokenizer_bench.h"
#include "tokenizer_location.h"

#include <zimage/engine.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace zimage::cli {
namespace {

// A prompt of 512+ tokens mixing English, Chinese, digits and punctuation, like long real prompts.
std::string longPrompt() {
    std::string text;
    while (text.size() < 2600)
        text += "A golden retriever running across a sunlit meadow, 35mm photo, f/1.8, 一只金毛犬在阳光草地上奔跑, "
                "soft bokeh, 4k, cinematic lighting; ";
    return text;
}

const std::string kPrompt = "A red fox standing in fresh snow at golden hour, detailed fur, 85mm photo, soft light";

// Where the fixture lives when the bench is run from the repository (README) or on the GPU machine (carried copy).
std::filesystem::path fixturePath(const char* relative) {
    if (const char* dir = std::getenv("ZIMAGE_FIXTURES"); dir && *dir)
        return std::filesystem::path(dir) / relative;
    return std::filesystem::path("../shared/fixtures/zimage-tiny") / relative;
}

int benchTokenizer(const Arguments& args) {
    const auto folder = findTokenizerFolder(args.required("model"));
    const auto timings = text::benchmarkTokenizer(folder, longPrompt(), 200);
    const nlohmann::json out = {{"tokenizer",
                                 {{"folder", folder.string()},
                                  {"load_ms", timings.loadMs},
                                  {"encode_us", timings.encodeUs},
                                  {"tokens", timings.tokens}}}};
    std::cout << out.dump(2) << "\n";
    return kExitOk;
}

std::unique_ptr<Engine> openEngine(const Arguments& args, double& loadMs) {
    const auto start = std::chrono::steady_clock::now();
    std::unique_ptr<Engine> engine;
    if (args.flag("random-weights")) {
        const auto manifest = args.value("manifest").value_or(fixturePath("real_model_manifest.json").string());
        const auto tokenizer = args.value("tokenizer").value_or(fixturePath("model/tokenizer").string());
        engine = Engine::openWithRandomWeights(manifest, tokenizer, engineOptions(args));
    } else {
        if (!args.has("model"))
            throw UsageError("'bench' needs --model PATH or --random-weights");
        engine = Engine::open(locateModel(args.required("model"), modelOverrides(args)), engineOptions(args));
    }
    loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return engine;
}

constexpr double kMiB = 1024.0 * 1024.0;

// One run; `after` is read once generate() returned (it cleared its memory): the allocator's baseline.
nlohmann::json runJson(const GenerationResult& result, const MemoryStats& after) {
    return {{"timings", timingsJson(result.timings)},
            {"memory", memoryJson(result.memory)},
            {"allocated_after_mb", static_cast<double>(after.allocatedBytes) / kMiB},
            {"plan", runtime::planToJson(result.plan)},
            {"attempts", result.attempts},
            {"text_embeddings_cached", result.textEmbeddingsCached},
            {"warnings", result.warnings}};
}

int benchGeneration(const Arguments& args) {
    GenerationRequest request;
    request.width = static_cast<int>(args.integer("width", 64, 4096).value_or(1024));
    request.height = static_cast<int>(args.integer("height", 64, 4096).value_or(1024));
    request.steps = static_cast<int>(args.integer("steps", 1, 1000).value_or(8));
    request.seed = 42;
    request.prompts = {kPrompt};
    const auto runs = args.integer("runs", 1, 1000).value_or(3);
    const bool freshPrompts = args.flag("fresh-prompts");

    double loadMs = 0;
    auto engine = openEngine(args, loadMs);
    SigintCancel sigint;
    Observer quiet;
    // Warm-up: first use of the kernels, the allocator and the prompt (its embeddings are then cached).
    const auto warmup = engine->generate(request, quiet, sigint.token());
    const auto warmupJson = runJson(warmup, engine->memoryStats());
    nlohmann::json timed = nlohmann::json::array();
    double totalSum = 0, best = 1e300, peakAllocated = 0;
    double baselineLow = 1e300, baselineHigh = 0;
    for (std::int64_t run = 0; run < runs; ++run) {
        if (freshPrompts)
            request.prompts = {kPrompt + ", variation " + std::to_string(run + 1)};
        request.seed = 43 + static_cast<std::uint64_t>(run);
        const auto result = engine->generate(request, quiet, sigint.token());
        const auto after = engine->memoryStats();
        totalSum += result.timings.totalMs;
        best = std::min(best, result.timings.totalMs);
        peakAllocated = std::max(peakAllocated, static_cast<double>(result.memory.peakAllocatedBytes) / kMiB);
        baselineLow = std::min(baselineLow, static_cast<double>(after.allocatedBytes) / kMiB);
        baselineHigh = std::max(baselineHigh, static_cast<double>(after.allocatedBytes) / kMiB);
        timed.push_back(runJson(result, after));
    }
    // The cost of a prompt not seen before (the text encoder runs, streamed or not, per the plan).
    request.prompts = {kPrompt + ", seen for the first time"};
    const auto fresh = engine->generate(request, quiet, sigint.token());
    const auto freshJson = runJson(fresh, engine->memoryStats());
    const nlohmann::json out = {
        {"model", engine->modelName()},
        {"device", engine->deviceName()},
        {"precision", precisionName(engine->precision())},
        {"width", request.width},
        {"height", request.height},
        {"steps", request.steps},
        {"runs", runs},
        {"fresh_prompts", freshPrompts},
        {"load_ms", loadMs},
        {"memory_options", memoryOptionsJson(engine->memoryOptions())},
        {"warmup", warmupJson},
        {"timed", timed},
        {"new_prompt_run", freshJson},
        {"mean_total_ms", totalSum / static_cast<double>(runs)},
        {"best_total_ms", best},
        {"peak_allocated_mb", peakAllocated},
        {"plan", timed.back()["plan"]["summary"]},
        // The allocator's bytes after each timed run: equal when memory clearing works.
        {"baseline_allocated_mb",
         {{"min", baselineLow}, {"max", baselineHigh}, {"spread", baselineHigh - baselineLow}}},
    };
    if (args.flag("json")) {
        std::cout << out.dump(2) << "\n";
    } else {
        std::cout << engine->modelName() << " on " << engine->deviceName() << ": mean " << totalSum / runs
                  << " ms, best " << best << " ms per " << request.width << "x" << request.height << " image ("
                  << request.steps << " steps), peak " << peakAllocated << " MiB allocated; plan "
                  << out["plan"].get<std::string>() << "\n";
    }
    return kExitOk;
}

} // namespace

int runBench(int argc, char** argv) {
    auto specs = engineOptionSpecs();
    const std::vector<OptionSpec> own = {{"tokenizer-only", false},
                                         {"random-weights", false},
                                         {"manifest"},
                                         {"width"},
                                         {"height"},
                                         {"steps"},
                                         {"runs"},
                                         {"fresh-prompts", false},
                                         {"json", false}};
    specs.insert(specs.end(), own.begin(), own.end());
    const Arguments args("bench", specs, argc, argv, 2);
    if (args.flag("tokenizer-only"))
        return benchTokenizer(args);
    return benchGeneration(args);
}

} // namespace zimage::cli
