#pragma once
// Tokenizer timings for the CLI's bench command.

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace zimage::text {

struct TokenizerTimings {
    double loadMs = 0;      // Tokenizer::fromFolder, wall clock
    double encodeUs = 0;    // mean of `repeats` encodes of `text` after one warm-up encode (piece cache filled)
    std::size_t tokens = 0; // tokens of `text`
};

// Loads the tokenizer in `folder` and times it. Throws TokenizerError.
TokenizerTimings benchmarkTokenizer(const std::filesystem::path& folder, std::string_view text, int repeats);

} // namespace zimage::text
