// The tokenizer's text handling: the split regex, UTF-8 validation and repair, NFC, decoding, the chat template and
// truncation. Expected pieces follow the split regex's semantics (cross-checked against Python's `regex` module with
// \s narrowed to White_Space); NFC expectations are Unicode's (UAX #15) and utf8proc's; ids are the fixture's vocab.

#include "text/normalizer.h"
#include "text/pre_tokenizer.h"
#include "text/tokenizer_bench.h"
#include "text/utf8.h"
#include "tokenizer_fixture.h"

#include <utf8proc.h>

#include <random>

using namespace zimage;
using namespace zimage::test;

namespace {

std::vector<std::string> split(std::string_view text) {
    text::PreTokenizer preTokenizer;
    std::vector<std::string_view> pieces;
    preTokenizer.split(text, pieces);
    return {pieces.begin(), pieces.end()};
}

std::string describePieces(const std::vector<std::string>& pieces) {
    return nlohmann::json(pieces).dump();
}

std::string nfcByUtf8proc(const std::string& text) {
    utf8proc_uint8_t* mapped = nullptr;
    const auto length =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                     &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    std::string out = length >= 0 ? std::string(reinterpret_cast<char*>(mapped), static_cast<std::size_t>(length)) : "";
    std::free(mapped);
    return out;
}

} // namespace

TEST_CASE(splitsLikeTheQwenRegex) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"Hello world", {"Hello", " world"}},
        {"  leading", {" ", " leading"}},                               // \s+(?!\S) gives one space back to the word
        {"trailing   ", {"trailing", "   "}},                           // at the end, the whole run
        {"I'll DON'T we'Re", {"I", "'ll", " DON", "'T", " we", "'Re"}}, // (?i:...) contractions
        {"x\r\n\r\ny", {"x", "\r\n\r\n", "y"}},                         // \s*[\r\n]+
        {"a \n b", {"a", " \n", " b"}},                                 // \s*[\r\n]+ ends at the last line break
        {"!!!\n\nabc", {"!!!\n\n", "abc"}},                             // punctuation takes trailing line breaks
        {"a\xC2\xA0"
         "b",
         {"a", "\xC2\xA0"
               "b"}},                                               // U+00A0 is \s and may lead a word
        {"2024\xE5\xB9\xB4", {"2", "0", "2", "4", "\xE5\xB9\xB4"}}, // one digit per piece
        {" (x)", {" (", "x", ")"}},
        {"tab\t\tx", {"tab", "\t", "\tx"}},
        {"a\x1c"
         "b",
         {"a", "\x1c"
               "b"}},                 // U+001C is not White_Space in the Rust/Oniguruma sense
        {"'\xC5\xBF", {"'\xC5\xBF"}}, // long s folds to s under (?i)
        {"", {}},
    };
    for (const auto& [input, expected] : cases) {
        const auto pieces = split(input);
        if (pieces != expected)
            ZT_FAIL(nlohmann::json(input).dump() + " -> " + describePieces(pieces) + ", expected " +
                        describePieces(expected),
                    false);
    }
}

TEST_CASE(rejectsInvalidUtf8WithOffset) {
    const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
        {"abc\xC0\xAF", "byte offset 3", "overlong"},
        {"ab\xE0\x80\xAF", "byte offset 2", "overlong"},
        {"\xF0\x80\x80\xAF", "byte offset 0", "overlong"},
        {"a\xED\xA0\x80", "byte offset 1", "surrogate"},
        {"xy\xED\xBF\xBF", "byte offset 2", "surrogate"},
        {"end\xE4\xB8", "byte offset 3", "truncated"},
        {"\xE4\xB8"
         "A",
         "byte offset 0", "truncated"},
        {"ok \x80", "byte offset 3", "continuation"},
        {"\xF4\x90\x80\x80", "byte offset 0", "above U+10FFFF"},
        {"\xF5\x80\x80\x80", "byte offset 0", "above U+10FFFF"},
        {"a\xFF", "byte offset 1", "invalid lead byte"},
        {"\xE4\xB8\x80\xE4\xB8", "byte offset 3", "truncated"},
    };
    const auto& tokenizer = fixtureTokenizer();
    for (const auto& [input, offset, reason] : cases) {
        CHECK_THROWS_WITH(tokenizer.encode(input), text::TokenizerError, offset);
        CHECK_THROWS_WITH(tokenizer.encode(input), text::TokenizerError, reason);
    }
    // A NUL is a valid character, also to utf8proc.
    const std::string withNul("a\0b\xC3\xA9", 5);
    CHECK_EQ(tokenizer.decode(tokenizer.encode(withNul)), withNul);
    CHECK(!text::findInvalidUtf8("\xF0\x9F\x90\x95 \xEF\xBF\xBF \xF4\x8F\xBF\xBF"));
}

// Rust's from_utf8_lossy (the reference decoder's last step): one U+FFFD per maximal ill-formed subpart.
TEST_CASE(repairsBrokenUtf8LikeTheReference) {
    CHECK_EQ(text::repairUtf8("a\xF0\x9F\xA6"
                              "b"),
             "a\xEF\xBF\xBD"
             "b");
    CHECK_EQ(text::repairUtf8("\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_EQ(text::repairUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_EQ(text::repairUtf8("\xC3\xA9"), "\xC3\xA9");
}

TEST_CASE(normalizesToNfc) {
    CHECK_EQ(text::toNfc("e\xCC\x81"), "\xC3\xA9");                                // e + U+0301 -> é
    CHECK_EQ(text::toNfc("\xE2\x84\xAB"), "\xC3\x85");                             // U+212B ANGSTROM SIGN -> Å
    CHECK_EQ(text::toNfc("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), "\xEA\xB0\x81"); // jamo -> 각
    CHECK_EQ(text::toNfc("\xE4\xB8\xAD\xE6\x96\x87 abc"), "\xE4\xB8\xAD\xE6\x96\x87 abc");
    CHECK_EQ(text::toNfc("a\xCC\x87\xCC\xA3"), "\xE1\xBA\xA1\xCC\x87"); // reordered: a + dot below, then dot above
}

// The shortcut of toNfc (only stretches around non-boundary characters go through utf8proc) must not change the
// result: checked against utf8proc on the whole text for random mixes of the characters where NFC acts.
TEST_CASE(nfcShortcutAgreesWithUtf8proc) {
    const std::vector<char32_t> pool = {
        'a',    'e',    'A',    ' ',    '1',    0x00E9,  0x0300,  0x0301,  0x0308,  0x0323,  0x0345,
        0x1100, 0x1161, 0x11A8, 0xAC00, 0xAC01, 0x304B,  0x3099,  0x304C,  0x212B,  0x2000,  0x0915,
        0x093C, 0x0958, 0x0B47, 0x0B3E, 0x0DD9, 0x0DCF,  0x4E2D,  0xF900,  0x1F415, 0x200D,  0x0F73,
        0x1E0A, 0x0344, 0x03D3, 0x1B05, 0x1B35, 0x11131, 0x11127, 0x2F800, 0x20000, 0x1D15E, 0x0627,
        0x0653, 0x05D0, 0x05B4, 0xFB1D, 0x1EA0, 0x0041,  0x030A,  0x00C5,  0x0037E, 0x2126,  0x1F1E6};
    std::mt19937 random(7);
    std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1), length(0, 12);
    for (int i = 0; i < 20000; ++i) {
        std::string input;
        for (std::size_t n = length(random); n > 0; --n)
            text::appendUtf8(input, pool[pick(random)]);
        const std::string expected = nfcByUtf8proc(input);
        const std::string actual = text::toNfc(input);
        if (actual != expected)
            FAIL("toNfc differs from utf8proc for " + nlohmann::json(input).dump());
    }
}

// isNfcBoundary may only hold for characters with combining class 0 that survive NFC and never compose with a
// character before them. The characters that do (the last of each composable canonical decomposition) are found
// from utf8proc's own data, over all code points.
TEST_CASE(nfcBoundariesAreSafe) {
    std::vector<bool> composesBackward(0x110000, false);
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        utf8proc_int32_t buffer[8];
        const auto length =
            utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buffer, 8, UTF8PROC_DECOMPOSE, nullptr);
        if (length < 2 || length > 8)
            continue;
        std::string decomposed;
        for (utf8proc_ssize_t i = 0; i < length; ++i)
            text::appendUtf8(decomposed, static_cast<char32_t>(buffer[i]));
        std::string self;
        text::appendUtf8(self, cp);
        if (nfcByUtf8proc(decomposed) == self)
            composesBackward[static_cast<std::size_t>(buffer[length - 1])] = true;
    }
    int checked = 0;
    for (char32_t cp = 0; cp < 0x110000; ++cp) {
        if ((cp >= 0xD800 && cp <= 0xDFFF) || !text::isNfcBoundary(cp))
            continue;
        ++checked;
        std::string self;
        text::appendUtf8(self, cp);
        const bool safe = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->combining_class == 0 &&
                          nfcByUtf8proc(self) == self && !composesBackward[cp];
        if (!safe)
            FAIL("U+" + std::to_string(static_cast<std::uint32_t>(cp)) + " (decimal) is no NFC boundary");
    }
    CHECK(checked > 60000); // the shortcut covers the common scripts
    CHECK(text::isNfcBoundary(0x4E2D));
    CHECK(!text::isNfcBoundary(0x0301));
    CHECK(!text::isNfcBoundary(0x1161));
}

// decode(encode(x)) gives back the NFC form of x: byte-level BPE loses nothing else.
TEST_CASE(decodeInvertsEncodeUpToNfc) {
    std::vector<std::string> texts;
    for (const char* file : {"tokenizer_vectors.json", "tokenizer_vectors_llamacpp.json"})
        for (const auto& vector : readJson(fixtureDir() / "golden" / file))
            texts.push_back(vector.at("text").get<std::string>());
    texts.insert(texts.end(), {"Cafe\xCC\x81 \xE2\x84\xAB", "\xE1\x84\x80\xE1\x85\xA1 jamo", "<|im_end|>\xCC\x81",
                               "\t\r\n \xC2\xA0\xE3\x80\x80", std::string("nul\0byte", 8)});
    const auto& tokenizer = fixtureTokenizer();
    for (const auto& input : texts)
        CHECK_EQ(tokenizer.decode(tokenizer.encode(input)), nfcByUtf8proc(input));
}

TEST_CASE(decodesPartialCharactersAndUnknownIds) {
    const auto& tokenizer = fixtureTokenizer();
    // " this is 🦙.cpp" encodes " " and the llama's four bytes as "ĠðŁ" (" \xF0\x9F", 11162), "¦" (\xA6, 99) and
    // "Ļ" (\x99, 247); without the last, F0 9F A6 is one maximal ill-formed subpart: one U+FFFD.
    const std::vector<std::int32_t> cut = {11162, 99};
    CHECK_EQ(tokenizer.decode(cut), " \xEF\xBF\xBD");
    const std::vector<std::int32_t> withUnknown = {64, 999999, -1, 151700, 8251};
    CHECK_EQ(tokenizer.decode(withUnknown), "a cat");
    const std::vector<std::int32_t> added = {151644, 872, 198, 6023, 151645};
    CHECK_EQ(tokenizer.decode(added), "<|im_start|>user\nhi<|im_end|>");
}

TEST_CASE(looksUpTokens) {
    const auto& tokenizer = fixtureTokenizer();
    CHECK_EQ(tokenizer.vocabSize(), std::size_t(151669));
    CHECK_EQ(tokenizer.tokenId("<|im_start|>").value_or(-1), 151644);
    CHECK_EQ(tokenizer.tokenId("</think>").value_or(-1), 151668);
    CHECK_EQ(tokenizer
                 .tokenId("\xC4\xA0"
                          "cat")
                 .value_or(-1),
             8251); // "Ġcat"
    CHECK(!tokenizer.tokenId("no such token, surely"));
}

TEST_CASE(appliesChatTemplate) {
    CHECK_EQ(text::applyChatTemplate("a cat"), "<|im_start|>user\na cat<|im_end|>\n<|im_start|>assistant\n");
    CHECK_EQ(text::applyChatTemplate("a cat", false),
             "<|im_start|>user\na cat<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    CHECK_EQ(text::applyChatTemplate(""), "<|im_start|>user\n<|im_end|>\n<|im_start|>assistant\n");
}

// Expected ids: golden/tokenizer_vectors.json has "a cat" in the template; truncation keeps a prefix.
TEST_CASE(truncatesPrompts) {
    const auto& tokenizer = fixtureTokenizer();
    const std::vector<std::int32_t> full = {151644, 872, 198, 64, 8251, 151645, 198, 151644, 77091, 198};
    auto tokens = text::tokenizePrompt(tokenizer, "a cat", true, 512);
    CHECK_EQ(describeIds(tokens.ids), describeIds(full));
    CHECK(!tokens.truncated);
    CHECK_EQ(tokens.untruncatedLength, full.size());

    tokens = text::tokenizePrompt(tokenizer, "a cat", true, 4); // cuts the closing tokens too
    CHECK_EQ(describeIds(tokens.ids), describeIds({151644, 872, 198, 64}));
    CHECK(tokens.truncated);
    CHECK_EQ(tokens.untruncatedLength, full.size());

    tokens = text::tokenizePrompt(tokenizer, "a cat", true, full.size()); // exactly full: not truncated
    CHECK(!tokens.truncated);

    tokens = text::tokenizePrompt(tokenizer, "a cat", false, 1);
    CHECK_EQ(describeIds(tokens.ids), describeIds({64}));
    CHECK(tokens.truncated);
    CHECK_EQ(tokens.untruncatedLength, std::size_t(2));

    CHECK_THROWS_WITH(text::tokenizePrompt(tokenizer, "bad \xFF", true, 512), text::TokenizerError, "byte offset 4");
}

// The CLI's bench command: only plausibility here (timings depend on the machine).
TEST_CASE(benchmarksTheTokenizer) {
    const auto timings = text::benchmarkTokenizer(fixtureTokenizerDir(), "a lighthouse at dusk, 35mm", 3);
    CHECK_EQ(timings.tokens, fixtureTokenizer().encode("a lighthouse at dusk, 35mm").size());
    CHECK(timings.loadMs > 0);
    CHECK(timings.encodeUs > 0);
    CHECK_THROWS_WITH(text::benchmarkTokenizer(fixtureDir() / "no-such-folder", "x", 1), text::TokenizerError,
                      "no-such-folder");
}
