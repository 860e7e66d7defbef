#include "golden_cases.h"

#include "test_harness.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace zimage::test {

std::vector<GoldenCase> loadGoldenCases() {
    const auto dir = fixtureDir() / "golden";
    std::ifstream in(dir / "cases.json");
    if (!in)
        throw std::runtime_error("cannot read " + (dir / "cases.json").string());
    // Kept in a variable: a range-for over a member of a temporary would iterate a destroyed object.
    const auto document = nlohmann::json::parse(in);
    std::vector<GoldenCase> cases;
    for (const auto& json : document.at("cases")) {
        GoldenCase goldenCase;
        goldenCase.name = json["name"].get<std::string>();
        auto& request = goldenCase.request;
        request.prompts = json["prompts"].get<std::vector<std::string>>();
        request.seed = json["seeds"][0].get<std::uint64_t>(); // the cases' seeds are consecutive: seed + i
        request.steps = json["steps"].get<int>();
        request.width = json["width"].get<int>();
        request.height = json["height"].get<int>();
        request.guidance = json["guidance_scale"].get<double>();
        if (json["negative_prompt"].is_string())
            request.negativePrompt = json["negative_prompt"].get<std::string>();
        // cfg_normalization is `false` or a number in the reference's call.
        request.cfgNormalization =
            json["cfg_normalization"].is_number() ? json["cfg_normalization"].get<double>() : 0.0;
        request.cfgTruncation = json["cfg_truncation"].get<double>();
        request.maxSequenceLength = json["max_sequence_length"].get<int>();
        request.noise = NoiseSource::Cpu;
        request.device = DeviceChoice::Cpu;
        request.precision = Precision::Fp32;
        goldenCase.tensors = io::SafetensorsFile::open(dir / ("case_" + goldenCase.name + ".safetensors"));
        cases.push_back(std::move(goldenCase));
    }
    if (cases.empty())
        throw std::runtime_error("no cases in " + (dir / "cases.json").string());
    return cases;
}

std::vector<float> readFloats(const io::SafetensorsFile& file, const std::string& name) {
    const auto bytes = file.bytes(file.at(name));
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size())
        return INFINITY;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, static_cast<double>(std::fabs(a[i] - b[i])));
    return worst;
}

} // namespace zimage::test
