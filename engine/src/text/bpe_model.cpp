#include "text/bpe_model.h"

#include "text/byte_level.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

#include <algorithm>
#include <array>

namespace zimage::text {
namespace {

// The cache stops growing here: prompts reuse a few thousand pieces, and arbitrary input (a fuzzer, a pasted file)
// must not grow memory without bound. Long pieces are rare and not worth keeping.
constexpr std::size_t kMaxCachedPieces = 100'000;
constexpr std::size_t kMaxCachedPieceBytes = 128;

struct Symbol {
    std::int32_t id;   // -1 once merged into its left neighbour
    std::int32_t prev; // index of the previous live symbol, -1 at the start
    std::int32_t next; // index of the next live symbol, -1 at the end
};

struct Candidate {
    std::int32_t rank;
    std::int32_t left; // index of the pair's left symbol; positions grow along the text
    std::int32_t right;
};

// std heap functions build a max-heap; the top must be the lowest rank, then the leftmost pair.
bool lowerPriority(const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
}

struct MergeScratch {
    std::vector<Symbol> symbols;
    std::vector<Candidate> heap;
};

} // namespace

bool BpeModel::addToken(std::string_view token, std::int32_t id) {
    return m_vocab.insert(token, id);
}

void BpeModel::finishVocab() {
    const auto& table = ByteLevelTable::instance();
    for (unsigned byte = 0; byte < 256; ++byte) {
        std::string symbol;
        appendUtf8(symbol, table.charForByte(static_cast<unsigned char>(byte)));
        const auto id = tokenId(symbol);
        if (!id)
            throw TokenizerError("the vocabulary lacks the symbol \"" + symbol + "\" of byte " + std::to_string(byte) +
                                 ": not a byte-level BPE vocabulary");
        m_byteIds[byte] = *id;
    }
    m_vocabFinished = true;
}

// Works in groups: first every lookup's slot is prefetched, then the lookups run, so that a group's cache misses
// overlap instead of queuing (loading does ~900k lookups in tables of several MB).
std::optional<BpeModel::MergeFailure> BpeModel::addMerges(std::span<const MergeText> merges) {
    constexpr std::size_t kGroup = 16;
    std::array<std::string, kGroup> mergedTexts;
    std::array<std::uint64_t, kGroup * 3> hashes{};
    std::array<std::int32_t, kGroup * 3> ids{};
    for (std::size_t start = 0; start < merges.size(); start += kGroup) {
        const std::size_t count = std::min(kGroup, merges.size() - start);
        for (std::size_t i = 0; i < count; ++i) {
            const auto& [left, right] = merges[start + i];
            mergedTexts[i].assign(left);
            mergedTexts[i].append(right);
            const std::string_view texts[3] = {left, right, mergedTexts[i]};
            for (std::size_t k = 0; k < 3; ++k) {
                hashes[i * 3 + k] = TokenIndex::hashOf(texts[k]);
                m_vocab.prefetch(hashes[i * 3 + k]);
            }
        }
        for (std::size_t i = 0; i < count; ++i) {
            const auto& [left, right] = merges[start + i];
            const std::string_view texts[3] = {left, right, mergedTexts[i]};
            constexpr MergeResult kUnknown[3] = {MergeResult::UnknownLeft, MergeResult::UnknownRight,
                                                 MergeResult::UnknownMerged};
            for (std::size_t k = 0; k < 3; ++k) {
                const auto id = m_vocab.find(texts[k], hashes[i * 3 + k]);
                if (!id)
                    return MergeFailure{start + i, kUnknown[k]};
                ids[i * 3 + k] = *id;
            }
            m_merges.prefetch(ids[i * 3], ids[i * 3 + 1]);
        }
        for (std::size_t i = 0; i < count; ++i)
            m_merges.insertOrAssign(ids[i * 3], ids[i * 3 + 1], Merge{m_mergeLines++, ids[i * 3 + 2]});
    }
    return std::nullopt;
}

void BpeModel::encodePiece(std::string_view bytes, std::vector<std::int32_t>& ids) const {
    if (bytes.empty())
        return;
    if (bytes.size() == 1) {
        ids.push_back(m_byteIds[static_cast<unsigned char>(bytes[0])]);
        return;
    }
    const bool cacheable = bytes.size() <= kMaxCachedPieceBytes;
    if (cacheable) {
        const std::lock_guard lock(m_cacheMutex);
        if (const auto it = m_cache.find(bytes); it != m_cache.end()) {
            ids.insert(ids.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    const std::size_t first = ids.size();
    if (m_ignoreMerges) {
        if (const auto whole = tokenId(ByteLevelTable::instance().encode(bytes)))
            ids.push_back(*whole);
        else
            mergeBytes(bytes, ids);
    } else {
        mergeBytes(bytes, ids);
    }
    if (cacheable) {
        const std::lock_guard lock(m_cacheMutex);
        if (m_cache.size() < kMaxCachedPieces)
            m_cache.try_emplace(std::string(bytes), ids.begin() + static_cast<std::ptrdiff_t>(first), ids.end());
    }
}

// The reference's merge loop: a heap of candidate pairs ordered by (rank, position), with stale entries (a side
// already merged elsewhere) skipped when they come up. O(n log n), so long runs like "aaaa..." stay fast.
void BpeModel::mergeBytes(std::string_view bytes, std::vector<std::int32_t>& ids) const {
    thread_local MergeScratch scratch;
    auto& symbols = scratch.symbols;
    auto& heap = scratch.heap;
    symbols.clear();
    heap.clear();

    const auto count = static_cast<std::int32_t>(bytes.size());
    for (std::int32_t i = 0; i < count; ++i)
        symbols.push_back({m_byteIds[static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)])], i - 1,
                           i + 1 < count ? i + 1 : -1});

    const auto pushCandidate = [&](std::int32_t left, std::int32_t right) {
        if (left < 0 || right < 0)
            return;
        if (const Merge* merge = m_merges.find(symbols[left].id, symbols[right].id)) {
            heap.push_back({merge->rank, left, right});
            std::push_heap(heap.begin(), heap.end(), lowerPriority);
        }
    };
    for (std::int32_t i = 0; i + 1 < count; ++i)
        pushCandidate(i, i + 1);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), lowerPriority);
        const Candidate top = heap.back();
        heap.pop_back();
        Symbol& left = symbols[top.left];
        if (left.id < 0 || left.next != top.right)
            continue;
        const Symbol& right = symbols[top.right];
        const Merge* merge = m_merges.find(left.id, right.id);
        if (!merge || merge->rank != top.rank)
            continue;
        left.id = merge->merged;
        left.next = right.next;
        if (right.next >= 0)
            symbols[right.next].prev = top.left;
        symbols[top.right].id = -1;
        pushCandidate(left.prev, top.left);
        pushCandidate(top.left, left.next);
    }

    for (std::int32_t i = 0; i >= 0; i = symbols[i].next)
        ids.push_back(symbols[i].id);
}

} // namespace zimage::text
