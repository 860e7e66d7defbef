#pragma once
// Added tokens (tokenizer.json "added_tokens": <|endoftext|>, <|im_start|>, <|im_end|>, <think>, ...): whole tokens
// with their own ids that the reference finds literally in the raw text before normalization and pre-tokenization,
// taking at each position the leftmost match and, among matches starting there, the longest. The text between them
// is encoded normally. (Qwen's added tokens have lstrip/rstrip/single_word off and normalized off; those flags are
// not implemented.)

#include "text/bpe_model.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace zimage::text {

struct AddedToken {
    std::string content;
    std::int32_t id = 0;
};

class AddedTokens {
public:
    AddedTokens() = default;
    // Later entries with the same content replace earlier ones; empty contents are ignored.
    explicit AddedTokens(std::vector<AddedToken> tokens);

    struct Match {
        std::size_t begin = 0;
        std::size_t length = 0;
        std::int32_t id = 0;
    };
    // The leftmost added token in `text` at or after `from`, the longest one starting there.
    std::optional<Match> findFirst(std::string_view text, std::size_t from) const;

    std::optional<std::int32_t> tokenId(std::string_view content) const;
    const std::string* content(std::int32_t id) const; // null when `id` is not an added token
    std::size_t size() const { return m_tokens.size(); }
    const std::vector<AddedToken>& tokens() const { return m_tokens; } // longest first

private:
    std::vector<AddedToken> m_tokens; // longest first, so the first match at a position is the longest
    std::array<bool, 256> m_isFirstByte{};
    std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>> m_byContent;
    std::unordered_map<std::int32_t, std::string> m_byId;
};

} // namespace zimage::text
