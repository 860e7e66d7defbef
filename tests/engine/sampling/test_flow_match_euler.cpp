// The schedule against the reference: REFERENCE.md's 8-step list and every golden case's `sigmas` and `timesteps`
// (golden/case_*.safetensors, written by diffusers' FlowMatchEulerDiscreteScheduler).

#include "io/safetensors.h"
#include "sampling/flow_match_euler.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

using zimage::sampling::FlowMatchEuler;

namespace {

std::vector<float> readFloats(const zimage::io::SafetensorsFile& file, const std::string& name) {
    const auto& info = file.at(name);
    REQUIRE(info.dtype == zimage::io::DType::F32);
    const auto bytes = file.bytes(info);
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

} // namespace

TEST_CASE(eightStepsMatchReferenceList) {
    // REFERENCE.md: for N=8 the shifted sigmas are 1, .9545, .9, .8333, .75, .6429, .5, .3, 0.
    const auto schedule = FlowMatchEuler::fromSteps(8, 3.0);
    const std::vector<double> expected = {1, .9545, .9, .8333, .75, .6429, .5, .3, 0};
    REQUIRE_EQ(schedule.sigmas().size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        CHECK_NEAR(schedule.sigmas()[i], expected[i], 5e-5);
    CHECK_EQ(schedule.steps(), 8);
    CHECK_EQ(schedule.modelTime(0), 0.0f);
    CHECK_NEAR(schedule.stepDelta(7), -0.3, 1e-7);
}

TEST_CASE(everyGoldenCaseMatchesExactly) {
    const auto dir = zimage::test::fixtureDir() / "golden";
    std::ifstream in(dir / "cases.json");
    REQUIRE(in.good());
    const auto cases = nlohmann::json::parse(in)["cases"];
    REQUIRE(!cases.empty());
    for (const auto& goldenCase : cases) {
        const auto name = goldenCase["name"].get<std::string>();
        const auto file = zimage::io::SafetensorsFile::open(dir / ("case_" + name + ".safetensors"));
        const auto sigmas = readFloats(*file, "sigmas");
        const auto timesteps = readFloats(*file, "timesteps");
        const auto schedule = FlowMatchEuler::fromSteps(goldenCase["steps"].get<int>(), 3.0);
        REQUIRE_EQ(schedule.sigmas().size(), sigmas.size());
        for (std::size_t i = 0; i < sigmas.size(); ++i)
            CHECK_EQ(schedule.sigmas()[i], sigmas[i]); // bit-exact: same float64 math, same rounding
        for (std::size_t i = 0; i < timesteps.size(); ++i)
            CHECK_EQ(schedule.timestep(static_cast<int>(i)), timesteps[i]);
    }
}

TEST_CASE(explicitSigmas) {
    const std::vector<double> given = {1.0, 0.6, 0.2};
    const auto asGiven = FlowMatchEuler::fromSigmas(given, 3.0, false);
    CHECK_EQ(asGiven.steps(), 3);
    CHECK_EQ(asGiven.sigmas().back(), 0.0f);
    CHECK_EQ(asGiven.sigma(1), 0.6f);
    // diffusers shifts explicit sigmas: 3*0.6 / (1 + 2*0.6).
    const auto shiftedList = FlowMatchEuler::fromSigmas(given, 3.0, true);
    CHECK_NEAR(shiftedList.sigma(1), 1.8 / 2.2, 1e-7);
    const std::vector<double> withZero = {0.9, 0.5, 0.0};
    CHECK_EQ(FlowMatchEuler::fromSigmas(withZero, 3.0, false).steps(), 2);
}

TEST_CASE(rejectsBadInput) {
    CHECK_THROWS_WITH(FlowMatchEuler::fromSteps(0, 3.0), std::invalid_argument, "steps must be between 1");
    CHECK_THROWS_WITH(FlowMatchEuler::fromSteps(8, -1.0), std::invalid_argument, "shift must be");
    const std::vector<double> rising = {0.5, 0.7};
    CHECK_THROWS_WITH(FlowMatchEuler::fromSigmas(rising, 3.0, false), std::invalid_argument, "decrease");
    const std::vector<double> outside = {1.5};
    CHECK_THROWS_WITH(FlowMatchEuler::fromSigmas(outside, 3.0, false), std::invalid_argument, "(0, 1]");
    CHECK_THROWS_WITH(FlowMatchEuler::fromSigmas({}, 3.0, false), std::invalid_argument, "between 1 and");
}

TEST_CASE(singleStep) {
    const auto schedule = FlowMatchEuler::fromSteps(1, 3.0);
    CHECK_EQ(schedule.sigmas().size(), 2u);
    CHECK_EQ(schedule.sigma(0), 1.0f);
    CHECK_EQ(schedule.stepDelta(0), -1.0f);
}
