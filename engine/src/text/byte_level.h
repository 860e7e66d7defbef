#pragma once
// The GPT-2 byte-to-unicode table of byte-level BPE: every byte value gets a printable character, so that vocabulary
// entries are text. Bytes that are printable in Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves; the
// other 68 take U+0100, U+0101, ... in byte order (the space 0x20 becomes U+0120 'Ġ', the newline U+010A 'Ċ').

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zimage::text {

class ByteLevelTable {
public:
    static const ByteLevelTable& instance();

    char32_t charForByte(unsigned char byte) const { return m_charForByte[byte]; }
    // The byte a table character stands for; nothing for characters outside the table.
    std::optional<unsigned char> byteForChar(char32_t cp) const {
        if (cp >= m_byteForChar.size() || m_byteForChar[cp] < 0)
            return std::nullopt;
        return static_cast<unsigned char>(m_byteForChar[cp]);
    }

    // The vocabulary spelling of raw bytes ("a cat" -> "aĠcat").
    std::string encode(std::string_view bytes) const;
    // Appends the bytes a vocabulary spelling stands for to `out`. Returns false, leaving `out` as it was, when the
    // spelling holds a character outside the table (the reference decoder then keeps that token's text as it is).
    bool appendDecoded(std::string_view token, std::string& out) const;

private:
    ByteLevelTable();

    std::array<char32_t, 256> m_charForByte{};
    std::array<std::int16_t, 0x144> m_byteForChar{}; // the table's characters all lie below U+0144
};

} // namespace zimage::text
