#pragma once
// The tokenizer's normalizer: Unicode NFC (tokenizer.json "normalizer": {"type": "NFC"}), by utf8proc.
//
// utf8proc decomposes and recomposes every character, which would dominate encoding time for non-Latin prompts.
// Most characters cannot change under NFC nor affect their neighbours, so only the stretches around the others
// go through utf8proc.

#include <string>
#include <string_view>

namespace zimage::text {

// NFC of valid UTF-8. Throws TokenizerError if utf8proc refuses the text (it cannot, for validated input).
std::string toNfc(std::string_view utf8);

// True when `utf8` is NFC for certain without looking it up: no character at or above U+0300 (below it nothing
// decomposes differently or combines), which holds for ASCII and most Latin text.
bool isTriviallyNfc(std::string_view utf8);

// True for characters with combining class 0 and NFC_Quick_Check = Yes (Unicode UAX #15): nothing before them can
// compose with them or reorder across them, so NFC(a + b) = NFC(a) + NFC(b) when b starts with one, and text made
// only of them is already NFC. Conservative: false may be answered for some that qualify.
bool isNfcBoundary(char32_t cp);

} // namespace zimage::text
