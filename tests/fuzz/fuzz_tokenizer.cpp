// libFuzzer target for the tokenizer: arbitrary bytes as a prompt. Invalid UTF-8 must fail with the documented
// TokenizerError ("invalid UTF-8 at byte offset N: ..."), never crash; valid text (the input with invalid sequences
// replaced by U+FFFD) must encode, and decode back to its NFC form. The same bytes are also decoded as if they were
// token ids. The tokenizer is the fixture's (the real
// Qwen3 one), loaded once from $ZIMAGE_FIXTURES/model/tokenizer.

#include "text/normalizer.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

namespace {

const zimage::text::Tokenizer& fixtureTokenizer() {
    static const zimage::text::Tokenizer tokenizer = [] {
        const char* fixtures = std::getenv("ZIMAGE_FIXTURES");
        if (!fixtures || !*fixtures) {
            std::fprintf(stderr, "fuzz_tokenizer: set ZIMAGE_FIXTURES to the zimage-tiny fixture\n");
            std::abort();
        }
        return zimage::text::Tokenizer::fromFolder(std::filesystem::path(fixtures) / "model" / "tokenizer");
    }();
    return tokenizer;
}

[[noreturn]] void failure(const char* what) {
    std::fprintf(stderr, "fuzz_tokenizer: %s\n", what);
    std::abort();
}

void checkEncoding(const zimage::text::Tokenizer& tokenizer, std::string_view input) {
    const auto problem = zimage::text::findInvalidUtf8(input);
    std::vector<std::int32_t> ids;
    try {
        ids = tokenizer.encode(input);
    } catch (const zimage::text::TokenizerError& error) {
        if (!problem)
            failure("valid UTF-8 was refused");
        if (zimage::text::describe(*problem) != error.what())
            failure("the error does not give the offset of the first invalid byte");
        return;
    }
    if (problem)
        failure("invalid UTF-8 was encoded");
    // Added tokens are ASCII starters, so normalizing the text between them equals normalizing it all.
    if (tokenizer.decode(ids) != zimage::text::toNfc(input))
        failure("decode(encode(x)) != NFC(x)");
    const auto prompt = zimage::text::tokenizePrompt(tokenizer, input, true, 64);
    if (prompt.ids.size() > 64 || prompt.truncated != (prompt.untruncatedLength > 64))
        failure("tokenizePrompt did not truncate to 64 tokens");
}

void checkDecoding(const zimage::text::Tokenizer& tokenizer, const std::uint8_t* data, std::size_t size) {
    std::vector<std::int32_t> ids(size / sizeof(std::int32_t));
    if (!ids.empty())
        std::memcpy(ids.data(), data, ids.size() * sizeof(std::int32_t));
    // Mostly valid ids, so that the byte-level decoding and the repair of cut characters are exercised.
    for (auto& id : ids)
        if (id >= 0 || id % 4 != 0)
            id = static_cast<std::int32_t>(static_cast<std::uint32_t>(id) % 151700u);
    if (zimage::text::findInvalidUtf8(tokenizer.decode(ids)))
        failure("decode returned invalid UTF-8");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& tokenizer = fixtureTokenizer();
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    checkEncoding(tokenizer, input);
    // Random bytes are rarely valid UTF-8 past the first few; the repaired text takes the whole pipeline.
    checkEncoding(tokenizer, zimage::text::repairUtf8(input));
    checkDecoding(tokenizer, data, size);
    return 0;
}
