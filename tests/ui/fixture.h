#pragma once
// The zimage-tiny fixture for the GUI layer's tests (which cannot link the engine tests' harness: it has its own
// main()). The fixture folder is $ZIMAGE_FIXTURES when set, else ZIMAGE_FIXTURE_DIR as configured.

#include "io/safetensors.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace zimage::test {

inline std::filesystem::path fixtureDir() {
    if (const char* fromEnv = std::getenv("ZIMAGE_FIXTURES"); fromEnv && *fromEnv)
        return fromEnv;
    return ZIMAGE_FIXTURE_DIR;
}

// A float32 tensor of a golden file, flat.
inline std::vector<float> readFloats(const io::SafetensorsFile& file, const std::string& name) {
    const auto bytes = file.bytes(file.at(name));
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

} // namespace zimage::test
