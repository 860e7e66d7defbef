// zimage-cli sigmas --steps N [--shift S]

#include "arguments.h"
#include "commands.h"
#include "sampling/flow_match_euler.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace zimage::cli {

int runSigmas(int argc, char** argv) {
    const Arguments args("sigmas", {{"steps"}, {"shift"}, {"verbose", false}}, argc, argv, 2);
    const auto steps = args.integer("steps", 1, sampling::kMaxSteps);
    if (!steps)
        throw UsageError("'sigmas' needs --steps N (Z-Image-Turbo uses 8)");
    const double shift = args.number("shift", 1e-6, 1e6).value_or(3.0);
    const auto schedule = sampling::FlowMatchEuler::fromSteps(static_cast<int>(*steps), shift);

    nlohmann::json timesteps = nlohmann::json::array();
    for (int i = 0; i < schedule.steps(); ++i)
        timesteps.push_back(schedule.timestep(i));
    const nlohmann::json out = {
        {"steps", schedule.steps()}, {"shift", shift}, {"sigmas", schedule.sigmas()}, {"timesteps", timesteps}};
    std::cout << out.dump() << "\n";
    return kExitOk;
}

} // namespace zimage::cli
