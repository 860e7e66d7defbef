#include "text/tokenizer_bench.h"

#include "text/tokenizer.h"

#include <algorithm>
#include <chrono>

namespace zimage::text {

TokenizerTimings benchmarkTokenizer(const std::filesystem::path& folder, std::string_view text, int repeats) {
    using Clock = std::chrono::steady_clock;
    TokenizerTimings timings;
    const auto loadStart = Clock::now();
    const Tokenizer tokenizer = Tokenizer::fromFolder(folder);
    timings.loadMs = std::chrono::duration<double, std::milli>(Clock::now() - loadStart).count();

    timings.tokens = tokenizer.encode(text).size();
    repeats = std::max(repeats, 1);
    std::size_t checksum = 0; // keeps the encodes from being optimized away
    const auto encodeStart = Clock::now();
    for (int i = 0; i < repeats; ++i)
        checksum += tokenizer.encode(text).size();
    timings.encodeUs = std::chrono::duration<double, std::micro>(Clock::now() - encodeStart).count() / repeats;
    if (checksum != timings.tokens * static_cast<std::size_t>(repeats))
        throw TokenizerError("benchmarkTokenizer: encoding is not deterministic");
    return timings;
}

} // namespace zimage::text
