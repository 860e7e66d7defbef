#include "text/pre_tokenizer.h"

#include "text/utf8.h"

#include <utf8proc.h>

#include <array>

namespace zimage::text {
namespace {

enum CharClass : std::uint8_t {
    kLetter = 1,    // \p{L}
    kNumber = 2,    // \p{N}
    kSpace = 4,     // \s
    kLineBreak = 8, // \r or \n (also kSpace)
    kOther = 16,    // none of the above: [^\s\p{L}\p{N}]
};

// Unicode White_Space, which is what \s means in Oniguruma's (and Rust regex's) Unicode mode.
bool isWhiteSpace(char32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

std::uint8_t classify(char32_t cp) {
    if (cp == '\r' || cp == '\n')
        return kSpace | kLineBreak;
    if (isWhiteSpace(cp))
        return kSpace;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return kLetter;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return kNumber;
    default:
        return kOther;
    }
}

const std::array<std::uint8_t, 128>& asciiClasses() {
    static const auto table = [] {
        std::array<std::uint8_t, 128> classes{};
        for (char32_t cp = 0; cp < 128; ++cp)
            classes[cp] = classify(cp);
        return classes;
    }();
    return table;
}

// Simple case folding for the letters of the contractions: the group is (?i:...), and besides ASCII only the long s
// (U+017F) folds onto one of them.
char32_t foldContractionLetter(char32_t cp) {
    if (cp >= 'A' && cp <= 'Z')
        return cp - 'A' + 'a';
    if (cp == 0x17F)
        return 's';
    return cp;
}

} // namespace

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>& pieces) {
    const auto& ascii = asciiClasses();
    m_chars.clear();
    m_chars.reserve(text.size() + 1);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto offset = static_cast<std::uint32_t>(pos);
        const char32_t cp = decodeValidUtf8(text, pos);
        m_chars.push_back({offset, cp, cp < 128 ? ascii[cp] : classify(cp)});
    }
    m_count = m_chars.size();
    m_chars.push_back({static_cast<std::uint32_t>(text.size()), 0, 0});

    std::size_t i = 0;
    while (i < m_count) {
        const std::size_t end = matchAt(i);
        pieces.push_back(text.substr(m_chars[i].offset, m_chars[end].offset - m_chars[i].offset));
        i = end;
    }
}

std::size_t PreTokenizer::runEnd(std::size_t i, std::uint8_t classes) const {
    while (i < m_count && (m_chars[i].classes & classes))
        ++i;
    return i;
}

std::size_t PreTokenizer::matchAt(std::size_t i) const {
    if (const std::size_t end = matchContraction(i))
        return end;
    if (const std::size_t end = matchLetters(i))
        return end;
    if (m_chars[i].classes & kNumber) // \p{N}: digits are single pieces
        return i + 1;
    if (const std::size_t end = matchPunctuation(i))
        return end;
    if (const std::size_t end = matchWhitespace(i))
        return end;
    return i + 1; // unreachable: every character is a letter, a number, whitespace or "other"
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d); the alternatives differ in their first letter, so their order does not matter.
std::size_t PreTokenizer::matchContraction(std::size_t i) const {
    if (m_chars[i].cp != '\'' || i + 1 >= m_count)
        return 0;
    const char32_t first = foldContractionLetter(m_chars[i + 1].cp);
    if (first == 's' || first == 't' || first == 'm' || first == 'd')
        return i + 2;
    if (i + 2 >= m_count)
        return 0;
    const char32_t second = foldContractionLetter(m_chars[i + 2].cp);
    if ((first == 'r' && second == 'e') || (first == 'v' && second == 'e') || (first == 'l' && second == 'l'))
        return i + 3;
    return 0;
}

// [^\r\n\p{L}\p{N}]?\p{L}+: one optional leading character that is neither a line break, a letter nor a number
// (a space, punctuation, ...), then a letter run.
std::size_t PreTokenizer::matchLetters(std::size_t i) const {
    if (m_chars[i].classes & kLetter)
        return runEnd(i, kLetter);
    const bool canLead = !(m_chars[i].classes & (kLineBreak | kLetter | kNumber));
    if (canLead && i + 1 < m_count && (m_chars[i + 1].classes & kLetter))
        return runEnd(i + 1, kLetter);
    return 0;
}

// " ?[^\s\p{L}\p{N}]+[\r\n]*": an optional space, a run of "other" characters, then any line breaks.
std::size_t PreTokenizer::matchPunctuation(std::size_t i) const {
    std::size_t start = i;
    if (m_chars[i].cp == ' ' && i + 1 < m_count && (m_chars[i + 1].classes & kOther))
        start = i + 1;
    if (!(m_chars[start].classes & kOther))
        return 0;
    return runEnd(runEnd(start, kOther), kLineBreak);
}

// The three whitespace alternatives, on the whitespace run [i, run):
//   \s*[\r\n]+   backtracks \s* to the run's last line break and ends after it;
//   \s+(?!\S)    takes the whole run at the end of the text, else gives back one character so that the next
//                piece (" word") keeps its leading space; it fails for a single space before a non-space;
//   \s+          the whole run.
std::size_t PreTokenizer::matchWhitespace(std::size_t i) const {
    const std::size_t run = runEnd(i, kSpace);
    if (run == i)
        return 0;
    for (std::size_t j = run; j > i; --j)
        if (m_chars[j - 1].classes & kLineBreak)
            return j;
    if (run == m_count)
        return run;
    if (run - 1 > i)
        return run - 1;
    return run;
}

} // namespace zimage::text
