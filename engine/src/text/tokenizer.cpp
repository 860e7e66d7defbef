#include "text/tokenizer.h"

#include "text/added_tokens.h"
#include "text/bpe_model.h"
#include "text/byte_level.h"
#include "text/normalizer.h"
#include "text/pre_tokenizer.h"
#include "text/tokenizer_files.h"
#include "text/utf8.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <limits>

namespace zimage::text {
namespace {

// Normalizes and splits one stretch of text between added tokens, and appends the ids of its pieces.
void encodeOrdinaryText(const BpeModel& model, std::string_view text, std::vector<std::int32_t>& ids) {
    std::string normalized;
    const std::string_view nfc = isTriviallyNfc(text) ? text : std::string_view(normalized = toNfc(text));
    PreTokenizer preTokenizer;
    std::vector<std::string_view> pieces;
    pieces.reserve(nfc.size() / 2 + 1);
    preTokenizer.split(nfc, pieces);
    for (const std::string_view piece : pieces)
        model.encodePiece(piece, ids);
}

} // namespace

struct Tokenizer::State {
    BpeModel model;
    AddedTokens added;
    std::size_t vocabSize = 0;
};

Tokenizer::Tokenizer(std::shared_ptr<const State> state)
    : m_state(std::move(state)) {}

Tokenizer Tokenizer::fromFolder(const std::filesystem::path& folder) {
    const auto start = std::chrono::steady_clock::now();
    auto state = std::make_shared<State>();
    std::vector<AddedToken> addedTokens;
    loadTokenizerFolder(folder, state->model, addedTokens);
    state->added = AddedTokens(std::move(addedTokens));
    // An added token that is also a vocabulary entry is one token, not two.
    state->vocabSize = state->model.tokenCount();
    for (const auto& token : state->added.tokens())
        if (!state->model.tokenId(token.content))
            ++state->vocabSize;
    if (auto logger = spdlog::get("engine"))
        logger->debug("tokenizer {}: {} tokens, {} merges, {} added tokens in {:.0f} ms", folder.string(),
                      state->model.tokenCount(), state->model.mergeCount(), state->added.size(),
                      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    return Tokenizer(std::move(state));
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view utf8) const {
    // Positions inside the pre-tokenizer and BPE are 32-bit; a prompt is some kilobytes.
    if (utf8.size() > std::size_t(std::numeric_limits<std::int32_t>::max()))
        throw TokenizerError("a text of " + std::to_string(utf8.size()) + " bytes is too long to tokenize");
    if (const auto problem = findInvalidUtf8(utf8))
        throw TokenizerError(describe(*problem));
    std::vector<std::int32_t> ids;
    ids.reserve(utf8.size() / 3 + 4);
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        const auto match = m_state->added.findFirst(utf8, pos);
        const std::size_t end = match ? match->begin : utf8.size();
        if (end > pos)
            encodeOrdinaryText(m_state->model, utf8.substr(pos, end - pos), ids);
        if (!match)
            break;
        ids.push_back(match->id);
        pos = match->begin + match->length;
    }
    return ids;
}

std::string Tokenizer::decode(std::span<const std::int32_t> ids) const {
    const auto& table = ByteLevelTable::instance();
    std::string bytes;
    for (const std::int32_t id : ids) {
        std::optional<std::string_view> text;
        if (const std::string* added = m_state->added.content(id))
            text = *added;
        else
            text = m_state->model.tokenText(id);
        if (!text)
            continue;
        // The reference's ByteLevel decoder maps every token through the table, added tokens too, and keeps a
        // token's text unchanged when one of its characters is not in the table.
        if (!table.appendDecoded(*text, bytes))
            bytes += *text;
    }
    return repairUtf8(bytes);
}

std::optional<std::int32_t> Tokenizer::tokenId(std::string_view token) const {
    if (const auto id = m_state->added.tokenId(token))
        return id;
    return m_state->model.tokenId(token);
}

std::size_t Tokenizer::vocabSize() const {
    return m_state->vocabSize;
}

} // namespace zimage::text
