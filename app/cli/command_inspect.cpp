// zimage-cli inspect PATH [--json]

#include "arguments.h"
#include "commands.h"
#include "io/inspect.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace zimage::cli {

int runInspect(int argc, char** argv) {
    const Arguments args("inspect", {{"json", false}, {"verbose", false}}, argc, argv, 2);
    if (args.positional().size() != 1)
        throw UsageError("'inspect' needs one PATH: a .safetensors file, a .safetensors.index.json or a model folder");
    const auto report = io::inspectPath(args.positional().front());
    if (args.flag("json"))
        std::cout << report.dump(2) << "\n";
    else
        std::cout << io::formatInspectReport(report);
    return kExitOk;
}

} // namespace zimage::cli
