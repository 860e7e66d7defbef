#pragma once
// The byte-level BPE model (tokenizer.json "model": {"type": "BPE"}): the vocabulary, the merge ranks, and the
// merging of one pre-tokenized piece into token ids.
//
// BPE starts from one symbol per byte (the GPT-2 table's character for it) and repeatedly merges the adjacent pair
// with the lowest merge rank, the leftmost first among equal ranks, until no adjacent pair has a merge; this is the
// reference's order. Merging works on ids: a merge maps the pair of ids (a, b) to its rank and the id of "ab".
// Results are cached per piece, since prompts repeat their words.

#include "text/merge_table.h"
#include "text/token_index.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace zimage::text {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

class BpeModel {
public:
    BpeModel() = default;
    BpeModel(const BpeModel&) = delete;
    BpeModel& operator=(const BpeModel&) = delete;

    // Building, in this order: tokens, then finishVocab(), then merges in rank order. The loader turns the
    // failures into errors that name the file.
    void reserveTokens(std::size_t count) { m_vocab.reserve(count); }
    void reserveMerges(std::size_t count) { m_merges.reserve(count); }
    bool addToken(std::string_view token, std::int32_t id); // false for a repeated token or id, or a negative id
    // Throws TokenizerError unless every byte has its symbol in the vocabulary (no byte-level BPE otherwise).
    void finishVocab();
    bool vocabFinished() const { return m_vocabFinished; }
    enum class MergeResult { Added, UnknownLeft, UnknownRight, UnknownMerged };
    using MergeText = std::pair<std::string_view, std::string_view>;
    struct MergeFailure {
        std::size_t index; // into the span given to addMerges
        MergeResult result;
    };
    // Adds merges in rank order (continuing the ranks of earlier calls); a repeated pair takes its later rank. Stops
    // at the first merge whose parts or result are not in the vocabulary.
    std::optional<MergeFailure> addMerges(std::span<const MergeText> merges);
    // tokenizer.json "ignore_merges": a piece that is a whole vocabulary entry maps to it without merging.
    void setIgnoreMerges(bool ignore) { m_ignoreMerges = ignore; }

    std::optional<std::int32_t> tokenId(std::string_view token) const { return m_vocab.find(token); }
    std::optional<std::string_view> tokenText(std::int32_t id) const { return m_vocab.text(id); }
    std::size_t tokenCount() const { return m_vocab.size(); }
    std::size_t mergeCount() const { return m_merges.size(); }

    // Appends the ids of one piece (raw UTF-8 bytes, before the byte-to-unicode mapping). Thread-safe.
    void encodePiece(std::string_view bytes, std::vector<std::int32_t>& ids) const;

private:
    void mergeBytes(std::string_view bytes, std::vector<std::int32_t>& ids) const;

    TokenIndex m_vocab;
    MergeTable m_merges;
    std::int32_t m_byteIds[256] = {};
    bool m_vocabFinished = false;
    bool m_ignoreMerges = false;
    std::int32_t m_mergeLines = 0;

    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<std::int32_t>, StringHash, std::equal_to<>> m_cache;
};

} // namespace zimage::text
