#include "engine_options.h"

namespace zimage::cli {

std::vector<OptionSpec> engineOptionSpecs() {
    return {{"model"},     {"dit"},    {"text-encoder"}, {"vae"},
            {"tokenizer"}, {"device"}, {"precision"},    {"verbose", false}};
}

ModelOverrides modelOverrides(const Arguments& args) {
    ModelOverrides overrides;
    overrides.transformer = args.value("dit").value_or("");
    overrides.textEncoder = args.value("text-encoder").value_or("");
    overrides.vae = args.value("vae").value_or("");
    overrides.tokenizer = args.value("tokenizer").value_or("");
    return overrides;
}

EngineOptions engineOptions(const Arguments& args) {
    EngineOptions options;
    options.device = parseChoice(args, "device", DeviceChoice::Auto, parseDeviceChoice, "auto, cpu, cuda");
    options.precision = parseChoice(args, "precision", Precision::Auto, parsePrecision, "auto, fp32, bf16, fp16");
    return options;
}

} // namespace zimage::cli
