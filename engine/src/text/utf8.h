#pragma once
// UTF-8 helpers of the tokenizer: strict validation (the encoder refuses what the reference's Python str could not
// hold), decoding of text already known to be valid, and the lossy repair the decoder needs because a token
// sequence may end inside a multi-byte character.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zimage::text {

struct Utf8Problem {
    std::size_t offset = 0; // byte offset of the first byte of the bad sequence
    const char* what = "";  // "overlong encoding", "UTF-16 surrogate", ...
};

// The first problem in `bytes`, or nothing when it is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). NUL bytes are valid characters.
std::optional<Utf8Problem> findInvalidUtf8(std::string_view bytes);
// "invalid UTF-8 at byte offset 12: UTF-16 surrogate", the message of the encoder's TokenizerError.
std::string describe(const Utf8Problem& problem);

// Decodes the code point starting at `pos` of valid UTF-8 and advances `pos` past it.
inline char32_t decodeValidUtf8(std::string_view text, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }
    if (lead < 0xE0) {
        const char32_t cp = (char32_t(lead & 0x1F) << 6) | (byte(pos + 1) & 0x3F);
        pos += 2;
        return cp;
    }
    if (lead < 0xF0) {
        const char32_t cp =
            (char32_t(lead & 0x0F) << 12) | (char32_t(byte(pos + 1) & 0x3F) << 6) | (byte(pos + 2) & 0x3F);
        pos += 3;
        return cp;
    }
    const char32_t cp = (char32_t(lead & 0x07) << 18) | (char32_t(byte(pos + 1) & 0x3F) << 12) |
                        (char32_t(byte(pos + 2) & 0x3F) << 6) | (byte(pos + 3) & 0x3F);
    pos += 4;
    return cp;
}

void appendUtf8(std::string& out, char32_t cp);

// Replaces every maximal ill-formed subsequence with U+FFFD, as Rust's String::from_utf8_lossy does (the reference
// decoder ends with it), so decode() always returns valid UTF-8.
std::string repairUtf8(std::string_view bytes);

} // namespace zimage::text
