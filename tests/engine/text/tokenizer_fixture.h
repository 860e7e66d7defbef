#pragma once
// Shared by the tokenizer tests: the zimage-tiny fixture's tokenizer (the real Qwen3 one), loaded once per test
// executable, and the fixture's JSON files.

#include "test_harness.h"
#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace zimage::test {

inline std::filesystem::path fixtureTokenizerDir() {
    return fixtureDir() / "model" / "tokenizer";
}

inline const text::Tokenizer& fixtureTokenizer() {
    static const text::Tokenizer tokenizer = text::Tokenizer::fromFolder(fixtureTokenizerDir());
    return tokenizer;
}

inline nlohmann::json readJson(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path.string());
    return nlohmann::json::parse(in);
}

inline void writeText(const std::filesystem::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

inline std::string describeIds(const std::vector<std::int32_t>& ids) {
    std::string out = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0)
            out += ',';
        out += std::to_string(ids[i]);
    }
    out += ']';
    return out;
}

} // namespace zimage::test
