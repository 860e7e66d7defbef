#include "text/utf8.h"

namespace zimage::text {
namespace {

bool isContinuation(unsigned char byte) {
    return (byte & 0xC0) == 0x80;
}

struct SequenceCheck {
    std::size_t length = 0; // bytes of a valid character, 0 when ill-formed
    std::size_t skip = 1;   // bytes of the maximal ill-formed subpart (Unicode 3.9, "U+FFFD substitution")
    const char* problem = "";
};

// The allowed range of the second byte depends on the lead (Unicode Table 3-7); that is where overlong forms,
// surrogates and values above U+10FFFF are told apart from plain truncation.
SequenceCheck checkSequence(std::string_view bytes, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(bytes[pos]);
    if (lead < 0x80)
        return {1, 1, ""};
    if (isContinuation(lead))
        return {0, 1, "unexpected continuation byte"};
    if (lead == 0xC0 || lead == 0xC1)
        return {0, 1, "overlong encoding"};
    if (lead > 0xF4)
        return {0, 1, lead < 0xF8 ? "code point above U+10FFFF" : "invalid lead byte"};

    const std::size_t length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    unsigned char low = 0x80, high = 0xBF;
    const char* rangeProblem = "";
    if (lead == 0xE0) {
        low = 0xA0;
        rangeProblem = "overlong encoding";
    } else if (lead == 0xED) {
        high = 0x9F;
        rangeProblem = "UTF-16 surrogate";
    } else if (lead == 0xF0) {
        low = 0x90;
        rangeProblem = "overlong encoding";
    } else if (lead == 0xF4) {
        high = 0x8F;
        rangeProblem = "code point above U+10FFFF";
    }

    for (std::size_t i = 1; i < length; ++i) {
        if (pos + i >= bytes.size())
            return {0, i, "truncated sequence (the input ends inside a character)"};
        const auto byte = static_cast<unsigned char>(bytes[pos + i]);
        if (i == 1 && isContinuation(byte) && (byte < low || byte > high))
            return {0, 1, rangeProblem};
        if (!isContinuation(byte))
            return {0, i, "truncated sequence (a continuation byte is missing)"};
    }
    return {length, length, ""};
}

} // namespace

std::optional<Utf8Problem> findInvalidUtf8(std::string_view bytes) {
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        // ASCII runs are the common case; skip them eight bytes at a time.
        while (pos + 8 <= bytes.size()) {
            std::uint64_t word = 0;
            for (std::size_t i = 0; i < 8; ++i)
                word |= std::uint64_t(static_cast<unsigned char>(bytes[pos + i])) << (8 * i);
            if (word & 0x8080808080808080ull)
                break;
            pos += 8;
        }
        if (pos >= bytes.size())
            break;
        const SequenceCheck check = checkSequence(bytes, pos);
        if (check.length == 0)
            return Utf8Problem{pos, check.problem};
        pos += check.length;
    }
    return std::nullopt;
}

std::string describe(const Utf8Problem& problem) {
    return "invalid UTF-8 at byte offset " + std::to_string(problem.offset) + ": " + problem.what;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string repairUtf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const SequenceCheck check = checkSequence(bytes, pos);
        if (check.length > 0) {
            out.append(bytes.substr(pos, check.length));
            pos += check.length;
        } else {
            out += "\xEF\xBF\xBD";
            pos += check.skip;
        }
    }
    return out;
}

} // namespace zimage::text
