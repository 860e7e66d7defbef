#include "text/added_tokens.h"

#include <algorithm>

namespace zimage::text {

AddedTokens::AddedTokens(std::vector<AddedToken> tokens) {
    for (auto& token : tokens) {
        if (token.content.empty())
            continue;
        m_byContent.insert_or_assign(token.content, token.id);
        m_byId.insert_or_assign(token.id, token.content);
    }
    // Keep only the entries that survived replacement, once each.
    for (const auto& [content, id] : m_byContent)
        m_tokens.push_back({content, id});
    std::sort(m_tokens.begin(), m_tokens.end(), [](const AddedToken& a, const AddedToken& b) {
        return a.content.size() != b.content.size() ? a.content.size() > b.content.size() : a.content < b.content;
    });
    for (const auto& token : m_tokens)
        m_isFirstByte[static_cast<unsigned char>(token.content[0])] = true;
}

std::optional<AddedTokens::Match> AddedTokens::findFirst(std::string_view text, std::size_t from) const {
    if (m_tokens.empty())
        return std::nullopt;
    for (std::size_t pos = from; pos < text.size(); ++pos) {
        if (!m_isFirstByte[static_cast<unsigned char>(text[pos])])
            continue;
        const std::string_view rest = text.substr(pos);
        for (const auto& token : m_tokens)
            if (rest.starts_with(token.content))
                return Match{pos, token.content.size(), token.id};
    }
    return std::nullopt;
}

std::optional<std::int32_t> AddedTokens::tokenId(std::string_view content) const {
    const auto it = m_byContent.find(content);
    if (it == m_byContent.end())
        return std::nullopt;
    return it->second;
}

const std::string* AddedTokens::content(std::int32_t id) const {
    const auto it = m_byId.find(id);
    return it == m_byId.end() ? nullptr : &it->second;
}

} // namespace zimage::text
