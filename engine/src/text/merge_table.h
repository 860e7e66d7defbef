#pragma once
// The merge ranks: (left id, right id) -> (rank, merged id), an open-addressing table (294k merges for Qwen; BPE
// looks pairs up in its inner loop).

#include <cstdint>
#include <vector>

namespace zimage::text {

struct Merge {
    std::int32_t rank;   // position in the merges list: lower merges first
    std::int32_t merged; // id of the merged token
};

class MergeTable {
public:
    void reserve(std::size_t count);
    // Returns false when the pair was present (its entry is replaced).
    bool insertOrAssign(std::int32_t left, std::int32_t right, Merge merge);

    const Merge* find(std::int32_t left, std::int32_t right) const {
        if (m_slots.empty())
            return nullptr;
        const std::uint64_t key = keyOf(left, right);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
            const Slot& slot = m_slots[i];
            if (slot.key == key)
                return &slot.merge;
            if (slot.key == kEmpty)
                return nullptr;
        }
    }

    void prefetch(std::int32_t left, std::int32_t right) const {
        if (!m_slots.empty())
            __builtin_prefetch(&m_slots[mix(keyOf(left, right)) & (m_slots.size() - 1)]);
    }

    std::size_t size() const { return m_count; }

private:
    // Ids are non-negative, so no real key has the top bit set.
    static constexpr std::uint64_t kEmpty = ~std::uint64_t(0);

    struct Slot {
        std::uint64_t key = kEmpty;
        Merge merge{};
    };

    static std::uint64_t keyOf(std::int32_t left, std::int32_t right) {
        return (std::uint64_t(std::uint32_t(left)) << 32) | std::uint32_t(right);
    }
    // splitmix64's finalizer: ids are small and dense, the raw key would cluster.
    static std::uint64_t mix(std::uint64_t key) {
        key ^= key >> 30;
        key *= 0xbf58476d1ce4e5b9ull;
        key ^= key >> 27;
        key *= 0x94d049bb133111ebull;
        return key ^ (key >> 31);
    }
    void rehash(std::size_t capacity);

    std::vector<Slot> m_slots; // power-of-two size, at most 3/4 full
    std::size_t m_count = 0;
};

} // namespace zimage::text
