#include "text/byte_level.h"

#include "text/utf8.h"

namespace zimage::text {
namespace {

bool standsForItself(unsigned byte) {
    return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

} // namespace

const ByteLevelTable& ByteLevelTable::instance() {
    static const ByteLevelTable table;
    return table;
}

ByteLevelTable::ByteLevelTable() {
    m_byteForChar.fill(-1);
    char32_t next = 0x100;
    for (unsigned byte = 0; byte < 256; ++byte) {
        const char32_t cp = standsForItself(byte) ? char32_t(byte) : next++;
        m_charForByte[byte] = cp;
        m_byteForChar[cp] = static_cast<std::int16_t>(byte);
    }
}

std::string ByteLevelTable::encode(std::string_view bytes) const {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char byte : bytes)
        appendUtf8(out, m_charForByte[static_cast<unsigned char>(byte)]);
    return out;
}

bool ByteLevelTable::appendDecoded(std::string_view token, std::string& out) const {
    const std::size_t oldSize = out.size();
    std::size_t pos = 0;
    while (pos < token.size()) {
        const auto byte = byteForChar(decodeValidUtf8(token, pos));
        if (!byte) {
            out.resize(oldSize);
            return false;
        }
        out += static_cast<char>(*byte);
    }
    return true;
}

} // namespace zimage::text
