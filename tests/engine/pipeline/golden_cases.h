#pragma once
// Reading the whole-pipeline golden cases (golden/cases.json + case_<name>.safetensors, written by the diffusers
// ZImagePipeline in float32 on the CPU) for the pipeline tests.

#include "io/safetensors.h"

#include <zimage/request.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace zimage::test {

struct GoldenCase {
    std::string name;
    GenerationRequest request;
    std::shared_ptr<const io::SafetensorsFile> tensors;
};

std::vector<GoldenCase> loadGoldenCases();
std::vector<float> readFloats(const io::SafetensorsFile& file, const std::string& name);
double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b);

} // namespace zimage::test
