#include "text/merge_table.h"

#include <algorithm>
#include <bit>

namespace zimage::text {

void MergeTable::reserve(std::size_t count) {
    const std::size_t capacity = std::bit_ceil(count * 4 / 3 + 1);
    if (capacity > m_slots.size())
        rehash(capacity);
}

void MergeTable::rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(capacity, Slot{});
    const std::size_t mask = capacity - 1;
    for (const Slot& slot : old) {
        if (slot.key == kEmpty)
            continue;
        std::size_t i = mix(slot.key) & mask;
        while (m_slots[i].key != kEmpty)
            i = (i + 1) & mask;
        m_slots[i] = slot;
    }
}

bool MergeTable::insertOrAssign(std::int32_t left, std::int32_t right, Merge merge) {
    if ((m_count + 1) * 4 > m_slots.size() * 3)
        rehash(std::max<std::size_t>(16, m_slots.size() * 2));
    const std::uint64_t key = keyOf(left, right);
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        Slot& slot = m_slots[i];
        if (slot.key == key) {
            slot.merge = merge;
            return false;
        }
        if (slot.key == kEmpty) {
            slot = {key, merge};
            ++m_count;
            return true;
        }
    }
}

} // namespace zimage::text
