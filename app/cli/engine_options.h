#pragma once
// Options shared by 'generate' and 'bench': model location, device and precision.

#include "arguments.h"

#include <zimage/engine.h>
#include <zimage/model_source.h>

#include <vector>

namespace zimage::cli {

// --model, --dit, --text-encoder, --vae, --tokenizer, --device, --precision, the memory options (--vram-budget GIB,
// --plan, --vae-tiling, --tile-size PX, --memory-fraction F), --generation-log PATH / --no-generation-log
std::vector<OptionSpec> engineOptionSpecs();
MemoryOptions memoryOptions(const Arguments& args);
ModelOverrides modelOverrides(const Arguments& args);
EngineOptions engineOptions(const Arguments& args);
// Parses one of the request's enum options ("--noise cpu"); throws UsageError listing the accepted values.
template <typename Enum>
Enum parseChoice(const Arguments& args, std::string_view name, Enum fallback, bool (*parse)(std::string_view, Enum&),
                 std::string_view accepted) {
    const auto text = args.value(name);
    if (!text)
        return fallback;
    Enum value = fallback;
    if (!parse(*text, value))
        throw UsageError("--" + std::string(name) + " must be one of " + std::string(accepted) + ", got '" + *text +
                         "'");
    return value;
}

} // namespace zimage::cli
