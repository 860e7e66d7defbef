#pragma once
// The Qwen2 pre-tokenizer: splits normalized text into the pieces that BPE then encodes one by one, with the split
// regex of tokenizer.json, matched by hand over code points (std::regex has no \p{L}):
//
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// with the semantics of the backtracking engine the reference uses (Oniguruma, through Hugging Face tokenizers):
// at each position the alternatives are tried left to right and the first that matches wins; quantifiers are
// greedy and give back characters where the rest of an alternative needs them. \s is Unicode White_Space
// (not U+001C..U+001F), \p{L} the letter categories, \p{N} the number categories. Every character starts some
// match, so the pieces cover the text with no gaps.

#include <cstdint>
#include <string_view>
#include <vector>

namespace zimage::text {

// The pattern as tokenizer.json spells it; the loader warns about files that use another.
inline constexpr std::string_view kQwen2SplitPattern =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

class PreTokenizer {
public:
    // Appends the pieces of `text` (valid UTF-8) to `pieces`, in order; they point into `text`.
    void split(std::string_view text, std::vector<std::string_view>& pieces);

private:
    struct Char {
        std::uint32_t offset; // byte offset in the text
        char32_t cp;
        std::uint8_t classes; // CharClass bits
    };

    std::size_t matchAt(std::size_t i) const; // end index (exclusive) of the match starting at char i
    std::size_t matchContraction(std::size_t i) const;
    std::size_t matchLetters(std::size_t i) const;
    std::size_t matchPunctuation(std::size_t i) const;
    std::size_t matchWhitespace(std::size_t i) const;
    std::size_t runEnd(std::size_t i, std::uint8_t classes) const; // first index from i not in `classes`

    std::vector<Char> m_chars; // the text's characters, then a sentinel holding the text's size as offset
    std::size_t m_count = 0;   // characters without the sentinel
};

} // namespace zimage::text
