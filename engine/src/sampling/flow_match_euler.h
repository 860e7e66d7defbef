#pragma once
// The flow-matching Euler schedule of diffusers' FlowMatchEulerDiscreteScheduler as Z-Image-Turbo configures it
// (static shift, no dynamic shifting). Values are float32, as the reference holds them, so that the sigma
// differences used in each step round exactly like the reference's.

#include <cstdint>
#include <span>
#include <vector>

namespace zimage::sampling {

class FlowMatchEuler {
public:
    // linspace(1, 1/steps, steps) in float64 (numpy's), shifted: s*sigma / (1 + (s-1)*sigma), then a final 0.
    static FlowMatchEuler fromSteps(int steps, double shift);
    // An explicit, strictly decreasing list in (0, 1] of the sigmas to visit (a final 0 is appended unless the list
    // ends with 0). diffusers shifts such a list too; `applyShift` chooses whether to do so (ComfyUI does not).
    static FlowMatchEuler fromSigmas(std::span<const double> sigmas, double shift, bool applyShift);

    int steps() const { return static_cast<int>(m_sigmas.size()) - 1; }
    // steps() + 1 values, the last 0.
    const std::vector<float>& sigmas() const { return m_sigmas; }
    float sigma(int step) const { return m_sigmas.at(static_cast<std::size_t>(step)); }
    // The scheduler's timestep: sigma * 1000 (float32).
    float timestep(int step) const;
    // What the DiT receives: (1000 - timestep) / 1000, i.e. 1 - sigma, computed like the pipeline does.
    float modelTime(int step) const;
    // sigma_{i+1} - sigma_i (negative): latents += stepDelta(i) * velocity.
    float stepDelta(int step) const;

private:
    explicit FlowMatchEuler(std::vector<float> sigmas);
    std::vector<float> m_sigmas;
};

// Throws std::invalid_argument with a message fit for users when steps are outside [1, kMaxSteps].
inline constexpr int kMaxSteps = 1000;

} // namespace zimage::sampling
