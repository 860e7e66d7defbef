// zimage-cli generate --model PATH --prompt P [--prompt P2 ...] [options]: writes one PNG per image with the
// A1111 "parameters" text and the full request as JSON, optionally the latents of every step.

#include "arguments.h"
#include "commands.h"
#include "engine_options.h"
#include "generate_outputs.h"
#include "sigint_cancel.h"

#include <zimage/engine.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <random>

namespace zimage::cli {
namespace {

std::vector<OptionSpec> generateSpecs() {
    auto specs = engineOptionSpecs();
    const std::vector<OptionSpec> own = {{"prompt", true, true},
                                         {"negative-prompt"},
                                         {"seed"},
                                         {"steps"},
                                         {"width"},
                                         {"height"},
                                         {"guidance"},
                                         {"cfg-normalization"},
                                         {"cfg-truncation"},
                                         {"max-sequence-length"},
                                         {"noise"},
                                         {"sigmas"},
                                         {"output"},
                                         {"save-latents"},
                                         {"json", false}};
    specs.insert(specs.end(), own.begin(), own.end());
    return specs;
}

std::vector<double> parseSigmas(const std::string& text) {
    std::vector<double> sigmas;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const auto end = std::min(text.find(',', begin), text.size());
        const std::string item = text.substr(begin, end - begin);
        char* parsedEnd = nullptr;
        const double value = std::strtod(item.c_str(), &parsedEnd);
        if (item.empty() || parsedEnd != item.c_str() + item.size())
            throw UsageError("--sigmas must be a comma-separated list of numbers, e.g. 1,0.9,0.75,0.5,0.3");
        sigmas.push_back(value);
        begin = end + 1;
    }
    return sigmas;
}

GenerationRequest requestFrom(const Arguments& args) {
    GenerationRequest request;
    request.prompts = args.values("prompt");
    if (request.prompts.empty())
        throw UsageError("'generate' needs --prompt P (repeat it for a batch)");
    request.negativePrompt = args.value("negative-prompt").value_or("");
    request.seed =
        args.unsignedInteger("seed").value_or(std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32));
    request.steps = static_cast<int>(args.integer("steps", 1, 1000).value_or(8));
    request.width = static_cast<int>(args.integer("width", 1, 1 << 16).value_or(1024));
    request.height = static_cast<int>(args.integer("height", 1, 1 << 16).value_or(1024));
    request.guidance = args.number("guidance", 0.0, 30.0).value_or(0.0);
    request.cfgNormalization = args.number("cfg-normalization", 0.0, 100.0).value_or(0.0);
    request.cfgTruncation = args.number("cfg-truncation", 0.0, 1.0).value_or(1.0);
    request.maxSequenceLength = static_cast<int>(args.integer("max-sequence-length", 8, 4096).value_or(512));
    request.noise = parseChoice(args, "noise", NoiseSource::Cpu, parseNoiseSource, "cpu, cuda");
    request.device = parseChoice(args, "device", DeviceChoice::Auto, parseDeviceChoice, "auto, cpu, cuda");
    request.precision = parseChoice(args, "precision", Precision::Auto, parsePrecision, "auto, fp32, bf16, fp16");
    if (const auto sigmas = args.value("sigmas"))
        request.sigmas = parseSigmas(*sigmas);
    if (const auto problems = request.validate(); !problems.empty()) {
        std::string text = "the request is not valid:";
        for (const auto& problem : problems)
            text += "\n  " + problem;
        throw UsageError(text);
    }
    return request;
}

} // namespace

int runGenerate(int argc, char** argv) {
    const Arguments args("generate", generateSpecs(), argc, argv, 2);
    const auto request = requestFrom(args);
    OutputWriter writer(args.value("output").value_or("."), args.value("save-latents").value_or(""));
    writer.checkWritable(); // before minutes of work, not after

    SigintCancel sigint;
    const auto source = locateModel(args.value("model").value_or(""), modelOverrides(args));
    auto engine = Engine::open(source, engineOptions(args));
    auto result = engine->generate(request, writer, sigint.token());
    const auto files = writer.write(result, engine->modelName());

    if (args.flag("json")) {
        std::cout << summaryJson(result, files).dump(2) << "\n";
    } else {
        for (const auto& file : files)
            std::cout << file.string() << "\n";
        for (const auto& warning : result.warnings)
            std::cerr << "warning: " << warning << "\n";
    }
    return kExitOk;
}

} // namespace zimage::cli
