#include "text/normalizer.h"

#include "text/tokenizer.h"
#include "text/utf8.h"

#include <utf8proc.h>

#include <array>
#include <cstdlib>
#include <memory>

namespace zimage::text {
namespace {

// Blocks holding starters with NFC_Quick_Check = Maybe: vowel signs and jamo that compose with the character
// before them although their combining class is 0 (U+09BE, U+0B3E, U+0CC2, U+102E, U+1161, U+11A8, U+1B35...).
// utf8proc does not expose the property, so these blocks are never boundaries.
bool inMaybeStarterBlock(char32_t cp) {
    return (cp >= 0x0900 && cp <= 0x0DFF) || (cp >= 0x1000 && cp <= 0x109F) || (cp >= 0x1100 && cp <= 0x11FF) ||
           (cp >= 0x1B00 && cp <= 0x1B7F);
}

// Outside the BMP only emoji and CJK ideographs are common in prompts; the rest (including the historic scripts
// with composing vowel signs) is left to utf8proc.
bool inSupplementaryCandidateRange(char32_t cp) {
    return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x2F7FF) || (cp >= 0x30000 && cp <= 0x323AF);
}

bool computeBoundary(char32_t cp) {
    if (cp < 0x300)
        return true;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || inMaybeStarterBlock(cp))
        return false;
    const auto codepoint = static_cast<utf8proc_int32_t>(cp);
    if (utf8proc_get_property(codepoint)->combining_class != 0)
        return false;
    // NFC_Quick_Check = No: the character does not survive NFC on its own (singletons like U+212B, excluded
    // compositions). Precomposed characters that recompose (é, 가) do survive and are boundaries.
    utf8proc_int32_t buffer[8];
    const utf8proc_ssize_t length = utf8proc_decompose_char(codepoint, buffer, 8, UTF8PROC_DECOMPOSE, nullptr);
    if (length == 1 && buffer[0] == codepoint)
        return true;
    if (length < 1 || length > 8)
        return false;
    const utf8proc_ssize_t composed =
        utf8proc_normalize_utf32(buffer, length, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
    return composed == 1 && buffer[0] == codepoint;
}

class BmpBoundaryTable {
public:
    BmpBoundaryTable() {
        for (char32_t cp = 0; cp < 0x10000; ++cp)
            if (computeBoundary(cp))
                m_bits[cp >> 6] |= std::uint64_t(1) << (cp & 63);
    }
    bool contains(char32_t cp) const { return (m_bits[cp >> 6] >> (cp & 63)) & 1; }

private:
    std::array<std::uint64_t, 0x10000 / 64> m_bits{};
};

std::string nfcWithUtf8proc(std::string_view utf8) {
    utf8proc_uint8_t* mapped = nullptr;
    // No UTF8PROC_NULLTERM: the length is given, so NUL characters are kept like any other.
    const utf8proc_ssize_t length =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()), static_cast<utf8proc_ssize_t>(utf8.size()),
                     &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
    if (length < 0)
        throw TokenizerError(std::string("NFC normalization failed: ") + utf8proc_errmsg(length));
    return std::string(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length));
}

} // namespace

bool isNfcBoundary(char32_t cp) {
    if (cp < 0x300)
        return true;
    if (cp < 0x10000) {
        static const BmpBoundaryTable table; // ~65k property lookups, once
        return table.contains(cp);
    }
    return inSupplementaryCandidateRange(cp) && computeBoundary(cp);
}

bool isTriviallyNfc(std::string_view utf8) {
    // Lead bytes 0xCC and above start U+0300 or later; continuation bytes are below 0xC0.
    for (const char byte : utf8)
        if (static_cast<unsigned char>(byte) >= 0xCC)
            return false;
    return true;
}

// Splits the text before each boundary character; a stretch holding a non-boundary character goes through
// utf8proc together with the boundary character before it (which it may compose with), the rest is copied.
std::string toNfc(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    std::size_t copiedUpTo = 0;   // text before this is in `out`
    std::size_t segmentStart = 0; // the current stretch starts at its boundary character
    bool segmentNeedsNfc = false;
    const auto flushSegment = [&](std::size_t end) {
        if (!segmentNeedsNfc)
            return;
        out.append(utf8.substr(copiedUpTo, segmentStart - copiedUpTo));
        out += nfcWithUtf8proc(utf8.substr(segmentStart, end - segmentStart));
        copiedUpTo = end;
    };
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        const std::size_t charStart = pos;
        if (static_cast<unsigned char>(utf8[pos]) < 0x80) {
            ++pos;
        } else if (!isNfcBoundary(decodeValidUtf8(utf8, pos))) {
            segmentNeedsNfc = true;
            continue;
        }
        flushSegment(charStart);
        segmentStart = charStart;
        segmentNeedsNfc = false;
    }
    flushSegment(utf8.size());
    out.append(utf8.substr(copiedUpTo));
    return out;
}

} // namespace zimage::text
