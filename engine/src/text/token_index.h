#pragma once
// The vocabulary as a two-way map token <-> id, built for the 151k-entry Qwen vocabulary: token texts live in one
// arena, the lookup is an open-addressing table, so loading makes no allocation per token.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zimage::text {

class TokenIndex {
public:
    void reserve(std::size_t count);
    // False (and nothing changes) when the token or the id is already present, or the id is negative.
    bool insert(std::string_view token, std::int32_t id);
    std::optional<std::int32_t> find(std::string_view token) const { return find(token, hashOf(token)); }
    // The same with the token's hashOf() known, after prefetch(hash): loading looks up a million tokens at random
    // places, and asking for several slots at once hides the memory latency.
    std::optional<std::int32_t> find(std::string_view token, std::uint64_t hash) const;
    void prefetch(std::uint64_t hash) const {
        if (!m_slots.empty())
            __builtin_prefetch(&m_slots[hash & (m_slots.size() - 1)]);
    }
    static std::uint64_t hashOf(std::string_view token);
    // The token with `id`, or nothing for ids without one.
    std::optional<std::string_view> text(std::int32_t id) const;
    std::size_t size() const { return m_count; }

private:
    struct Slot {
        std::uint32_t hash = 0;
        std::uint32_t offset = 0; // token text in m_arena
        std::uint32_t length = 0;
        std::int32_t id = -1; // -1: empty slot
    };
    struct Span {
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
        bool used = false;
    };

    std::string_view slotText(const Slot& slot) const { return {m_arena.data() + slot.offset, slot.length}; }
    const Slot* findSlot(std::string_view token, std::uint64_t hash) const;
    void rehash(std::size_t capacity);

    std::string m_arena;
    std::vector<Slot> m_slots; // power-of-two size, at most half full
    std::vector<Span> m_byId;
    std::size_t m_count = 0;
};

} // namespace zimage::text
