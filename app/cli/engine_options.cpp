#include "engine_options.h"

namespace zimage::cli {

std::vector<OptionSpec> engineOptionSpecs() {
    return {{"model"},
            {"dit"},
            {"text-encoder"},
            {"vae"},
            {"tokenizer"},
            {"device"},
            {"precision"},
            {"verbose", false},
            {"vram-budget"},
            {"plan"},
            {"vae-tiling"},
            {"tile-size"},
            {"memory-fraction"},
            {"generation-log"},
            {"no-generation-log", false}};
}

ModelOverrides modelOverrides(const Arguments& args) {
    ModelOverrides overrides;
    overrides.transformer = args.value("dit").value_or("");
    overrides.textEncoder = args.value("text-encoder").value_or("");
    overrides.vae = args.value("vae").value_or("");
    overrides.tokenizer = args.value("tokenizer").value_or("");
    return overrides;
}

MemoryOptions memoryOptions(const Arguments& args) {
    MemoryOptions memory;
    memory.plan =
        parseChoice(args, "plan", PlanChoice::Auto, parsePlanChoice, "auto, resident, sequential, stream, cpu");
    memory.vaeTiling = parseChoice(args, "vae-tiling", TilingChoice::Auto, parseTilingChoice, "auto, on, off");
    memory.vramBudgetGiB = args.number("vram-budget", 0.5, 4096.0);
    memory.vaeTileSize = static_cast<int>(args.integer("tile-size", kMinVaeTileSize, kMaxVaeTileSize).value_or(0));
    memory.memoryFraction = args.number("memory-fraction", 0.01, 1.0).value_or(0.0);
    if (const auto problems = memory.validate(); !problems.empty())
        throw UsageError(problems.front());
    return memory;
}

EngineOptions engineOptions(const Arguments& args) {
    EngineOptions options;
    options.device = parseChoice(args, "device", DeviceChoice::Auto, parseDeviceChoice, "auto, cpu, cuda");
    options.precision = parseChoice(args, "precision", Precision::Auto, parsePrecision, "auto, fp32, bf16, fp16");
    options.memory = memoryOptions(args);
    if (args.flag("no-generation-log"))
        options.generationLog = std::filesystem::path();
    else if (const auto path = args.value("generation-log"))
        options.generationLog = std::filesystem::path(*path);
    return options;
}

} // namespace zimage::cli
