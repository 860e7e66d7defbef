#include "text/token_index.h"

#include "text/tokenizer.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <limits>

namespace zimage::text {

std::uint64_t TokenIndex::hashOf(std::string_view token) {
    return std::hash<std::string_view>{}(token);
}

void TokenIndex::reserve(std::size_t count) {
    m_byId.reserve(count);
    m_arena.reserve(count * 8);
    if (count * 2 > m_slots.size())
        rehash(std::bit_ceil(count * 2));
}

void TokenIndex::rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(capacity, Slot{});
    const std::size_t mask = capacity - 1;
    for (const Slot& slot : old) {
        if (slot.id < 0)
            continue;
        std::size_t i = hashOf(slotText(slot)) & mask;
        while (m_slots[i].id >= 0)
            i = (i + 1) & mask;
        m_slots[i] = slot;
    }
}

const TokenIndex::Slot* TokenIndex::findSlot(std::string_view token, std::uint64_t hash) const {
    if (m_slots.empty())
        return nullptr;
    const std::size_t mask = m_slots.size() - 1;
    const auto shortHash = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot& slot = m_slots[i];
        if (slot.id < 0)
            return &slot;
        if (slot.hash == shortHash && slotText(slot) == token)
            return &slot;
    }
}

bool TokenIndex::insert(std::string_view token, std::int32_t id) {
    if (id < 0)
        return false;
    if (static_cast<std::size_t>(id) < m_byId.size() && m_byId[static_cast<std::size_t>(id)].used)
        return false;
    if ((m_count + 1) * 2 > m_slots.size())
        rehash(std::max<std::size_t>(16, m_slots.size() * 2));
    const std::uint64_t hash = hashOf(token);
    const Slot* found = findSlot(token, hash);
    if (found->id >= 0)
        return false;
    if (m_arena.size() + token.size() > std::numeric_limits<std::uint32_t>::max())
        throw TokenizerError("the vocabulary's text exceeds 4 GiB");

    Slot& slot = m_slots[static_cast<std::size_t>(found - m_slots.data())];
    slot = {static_cast<std::uint32_t>(hash >> 32), static_cast<std::uint32_t>(m_arena.size()),
            static_cast<std::uint32_t>(token.size()), id};
    m_arena.append(token);
    if (static_cast<std::size_t>(id) >= m_byId.size())
        m_byId.resize(static_cast<std::size_t>(id) + 1);
    m_byId[static_cast<std::size_t>(id)] = {slot.offset, slot.length, true};
    ++m_count;
    return true;
}

std::optional<std::int32_t> TokenIndex::find(std::string_view token, std::uint64_t hash) const {
    const Slot* slot = findSlot(token, hash);
    if (!slot || slot->id < 0)
        return std::nullopt;
    return slot->id;
}

std::optional<std::string_view> TokenIndex::text(std::int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= m_byId.size() || !m_byId[static_cast<std::size_t>(id)].used)
        return std::nullopt;
    const Span& span = m_byId[static_cast<std::size_t>(id)];
    return std::string_view(m_arena.data() + span.offset, span.length);
}

} // namespace zimage::text
