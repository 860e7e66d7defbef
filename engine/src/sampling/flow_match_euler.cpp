#include "sampling/flow_match_euler.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace zimage::sampling {
namespace {

constexpr float kTrainTimesteps = 1000.0f;

// The reference shifts a float32 numpy array, so every operation rounds to float32; doing it in double differs in
// the last bit for some step counts (golden case square_9steps).
float shifted(float sigma, double shift) {
    const float s = static_cast<float>(shift);
    const float numerator = s * sigma;
    const float denominator = 1.0f + (s - 1.0f) * sigma;
    return numerator / denominator;
}

void checkShift(double shift) {
    if (!(shift > 0.0) || !std::isfinite(shift))
        throw std::invalid_argument("shift must be a positive number (Z-Image-Turbo uses 3.0), got " +
                                    std::to_string(shift));
}

} // namespace

FlowMatchEuler::FlowMatchEuler(std::vector<float> sigmas)
    : m_sigmas(std::move(sigmas)) {}

FlowMatchEuler FlowMatchEuler::fromSteps(int steps, double shift) {
    if (steps < 1 || steps > kMaxSteps)
        throw std::invalid_argument("steps must be between 1 and " + std::to_string(kMaxSteps) + ", got " +
                                    std::to_string(steps));
    checkShift(shift);
    // numpy.linspace(1.0, 1/steps, steps) in float64: start + i*delta, the last value set to the stop exactly; then
    // rounded to float32 like the reference's array.
    const double start = 1.0, stop = 1.0 / steps;
    std::vector<float> sigmas;
    sigmas.reserve(static_cast<std::size_t>(steps) + 1);
    for (int i = 0; i < steps; ++i) {
        const double linear = (steps == 1)       ? start
                              : (i == steps - 1) ? stop
                                                 : start + i * ((stop - start) / (steps - 1));
        sigmas.push_back(shifted(static_cast<float>(linear), shift));
    }
    sigmas.push_back(0.0f);
    return FlowMatchEuler(std::move(sigmas));
}

FlowMatchEuler FlowMatchEuler::fromSigmas(std::span<const double> values, double shift, bool applyShift) {
    checkShift(shift);
    std::vector<float> sigmas;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double value = values[i];
        const bool finalZero = (i + 1 == values.size()) && value == 0.0 && i > 0;
        if (!finalZero && !(value > 0.0 && value <= 1.0))
            throw std::invalid_argument("sigma " + std::to_string(i) + " is " + std::to_string(value) +
                                        "; sigmas must lie in (0, 1]");
        if (i > 0 && !(value < values[i - 1]))
            throw std::invalid_argument("sigmas must decrease strictly; sigma " + std::to_string(i) + " (" +
                                        std::to_string(value) + ") is not below the one before it");
        const auto sigma = static_cast<float>(value);
        sigmas.push_back(applyShift && !finalZero ? shifted(sigma, shift) : sigma);
    }
    if (sigmas.empty() || sigmas.size() > static_cast<std::size_t>(kMaxSteps) + 1)
        throw std::invalid_argument("give between 1 and " + std::to_string(kMaxSteps) + " sigmas");
    if (sigmas.back() != 0.0f)
        sigmas.push_back(0.0f);
    return FlowMatchEuler(std::move(sigmas));
}

float FlowMatchEuler::timestep(int step) const {
    return sigma(step) * kTrainTimesteps;
}

float FlowMatchEuler::modelTime(int step) const {
    return (kTrainTimesteps - timestep(step)) / kTrainTimesteps;
}

float FlowMatchEuler::stepDelta(int step) const {
    return sigma(step + 1) - sigma(step);
}

} // namespace zimage::sampling
