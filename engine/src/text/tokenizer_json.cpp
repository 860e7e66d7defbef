#include "text/tokenizer_json.h"

#include "text/pre_tokenizer.h"
#include "text/tokenizer.h"
#include "text/tokenizer_files.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <limits>

namespace zimage::text {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Where in the document an event happens; only these places matter, everything else is skipped.
enum class Section : std::uint8_t {
    Other,
    Root,
    Model,
    Vocab,
    Merges,
    MergePair,
    AddedTokens,
    AddedToken,
    Normalizer,
    PreTokenizer
};

struct Frame {
    Section section;
    bool isObject;
    std::string key; // the current key, in objects
};

// The SAX handler nlohmann::json::sax_parse drives (duck-typed: the method names are its interface).
class TokenizerJsonReader {
public:
    TokenizerJsonReader(fs::path file, BpeModel& model, std::vector<AddedToken>* addedTokens, Section rootSection)
        : m_file(std::move(file))
        , m_model(model)
        , m_addedTokens(addedTokens)
        , m_rootSection(rootSection) {}

    bool null() { return scalar("null"); }
    bool boolean(bool value) {
        if (inModelKey("ignore_merges"))
            m_model.setIgnoreMerges(value);
        return scalar("a boolean");
    }
    bool number_integer(json::number_integer_t value) { return integer(value); }
    bool number_unsigned(json::number_unsigned_t value) {
        return integer(value > std::uint64_t(std::numeric_limits<std::int64_t>::max()) ? -1 : std::int64_t(value));
    }
    bool number_float(json::number_float_t, const json::string_t&) { return scalar("a fraction"); }
    bool binary(json::binary_t&) { return scalar("binary data"); }
    bool string(json::string_t& value);
    bool start_object(std::size_t) { return push(true); }
    bool start_array(std::size_t) { return push(false); }
    bool key(json::string_t& key) {
        m_stack.back().key = key;
        return true;
    }
    bool end_object() { return pop(); }
    bool end_array() { return pop(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) {
        throwFileError(m_file, std::string("not valid JSON (") + error.what() + ")");
    }

    // Checks after the document: the parts that must be there, and the pipeline warning.
    void finish();

private:
    const Frame& top() const { return m_stack.back(); }
    bool inModelKey(const char* key) const {
        return !m_stack.empty() && top().section == Section::Model && top().key == key;
    }
    Section childSection() const;
    bool push(bool isObject);
    bool pop();
    bool scalar(const char* what);
    bool integer(std::int64_t value);
    void addMerge(std::string_view left, std::string_view right);
    void flushMerges();
    std::string mergeName() const { return "model.merges[" + std::to_string(m_mergeIndex) + "]"; }

    fs::path m_file;
    BpeModel& m_model;
    std::vector<AddedToken>* m_addedTokens;
    Section m_rootSection;
    std::vector<Frame> m_stack;

    bool m_sawModel = false, m_sawVocab = false, m_sawMerges = false;
    std::size_t m_mergeIndex = 0;
    std::string m_pairParts[2];
    std::size_t m_pairCount = 0;
    // Merges wait here until a batch is full (BpeModel::addMerges works on batches), and all of them when the file
    // lists them before the vocabulary. Entries are reused, so their strings keep their capacity.
    std::vector<std::pair<std::string, std::string>> m_mergeBuffer;
    std::size_t m_bufferedMerges = 0;
    std::size_t m_firstBufferedMerge = 0; // index in model.merges of m_mergeBuffer[0]
    std::vector<BpeModel::MergeText> m_mergeViews;
    AddedToken m_addedToken;
    bool m_addedHasContent = false, m_addedHasId = false;
    std::string m_normalizerType;
    bool m_sawQwenPattern = false;
};

Section TokenizerJsonReader::childSection() const {
    if (m_stack.empty())
        return m_rootSection;
    const Frame& parent = top();
    switch (parent.section) {
    case Section::Root:
        if (parent.key == "model")
            return Section::Model;
        if (parent.key == "added_tokens")
            return Section::AddedTokens;
        if (parent.key == "normalizer")
            return Section::Normalizer;
        if (parent.key == "pre_tokenizer")
            return Section::PreTokenizer;
        return Section::Other;
    case Section::Model:
        if (parent.key == "vocab")
            return Section::Vocab;
        if (parent.key == "merges")
            return Section::Merges;
        return Section::Other;
    case Section::Merges:
        return Section::MergePair;
    case Section::AddedTokens:
        return Section::AddedToken;
    case Section::PreTokenizer:
        return Section::PreTokenizer;
    default:
        return Section::Other;
    }
}

bool TokenizerJsonReader::push(bool isObject) {
    const Section section = childSection();
    if (m_stack.empty() && !isObject)
        throwFileError(m_file, "not a JSON object");
    const bool objectExpected = section == Section::Root || section == Section::Model || section == Section::Vocab ||
                                section == Section::AddedToken;
    const bool arrayExpected =
        section == Section::Merges || section == Section::MergePair || section == Section::AddedTokens;
    if ((objectExpected && !isObject) || (arrayExpected && isObject)) {
        const std::string where = m_stack.empty() ? "the document" : "\"" + top().key + "\"";
        throwFileError(m_file, where + " is not " + (isObject ? "an array" : "an object"));
    }
    if (!m_stack.empty() && top().section == Section::Vocab)
        throwFileError(m_file, "token \"" + top().key + "\" has no valid id");
    if (section == Section::MergePair)
        m_pairCount = 0;
    if (section == Section::AddedToken) {
        m_addedToken = {};
        m_addedHasContent = m_addedHasId = false;
    }
    m_sawModel = m_sawModel || section == Section::Model;
    m_sawVocab = m_sawVocab || section == Section::Vocab;
    m_sawMerges = m_sawMerges || section == Section::Merges;
    m_stack.push_back({section, isObject, {}});
    return true;
}

bool TokenizerJsonReader::pop() {
    const Section section = top().section;
    m_stack.pop_back();
    switch (section) {
    case Section::Vocab:
        try {
            m_model.finishVocab();
        } catch (const TokenizerError& error) {
            throwFileError(m_file, error.what());
        }
        flushMerges();
        break;
    case Section::Merges:
        if (m_model.vocabFinished())
            flushMerges();
        break;
    case Section::MergePair:
        if (m_pairCount != 2)
            throwFileError(m_file, mergeName() + " is neither \"a b\" nor [\"a\", \"b\"]");
        addMerge(m_pairParts[0], m_pairParts[1]);
        break;
    case Section::AddedToken:
        if (!m_addedHasContent || !m_addedHasId)
            throwFileError(m_file, "an entry of added_tokens lacks its \"content\" or \"id\"");
        if (m_addedTokens)
            m_addedTokens->push_back(std::move(m_addedToken));
        break;
    default:
        break;
    }
    return true;
}

bool TokenizerJsonReader::scalar(const char* what) {
    if (m_stack.empty())
        throwFileError(m_file, "not a JSON object");
    switch (top().section) {
    case Section::Vocab:
        throwFileError(m_file, "token \"" + top().key + "\" has no valid id (" + what + ")");
    case Section::Merges:
    case Section::MergePair:
        throwFileError(m_file, mergeName() + " is neither \"a b\" nor [\"a\", \"b\"] (" + what + ")");
    default:
        return true;
    }
}

bool TokenizerJsonReader::integer(std::int64_t value) {
    const bool validId = value >= 0 && value <= std::numeric_limits<std::int32_t>::max();
    if (!m_stack.empty() && top().section == Section::Vocab) {
        if (!validId)
            throwFileError(m_file, "token \"" + top().key + "\" has no valid id (" + std::to_string(value) + ")");
        if (!m_model.addToken(top().key, static_cast<std::int32_t>(value)))
            throwFileError(m_file, "token \"" + top().key + "\" or its id " + std::to_string(value) + " repeats");
        return true;
    }
    if (!m_stack.empty() && top().section == Section::AddedToken && top().key == "id") {
        if (!validId)
            throwFileError(m_file, "an added token has an invalid id (" + std::to_string(value) + ")");
        m_addedToken.id = static_cast<std::int32_t>(value);
        m_addedHasId = true;
        return true;
    }
    return scalar("a number");
}

bool TokenizerJsonReader::string(json::string_t& value) {
    if (m_stack.empty())
        throwFileError(m_file, "not a JSON object");
    const Frame& frame = top();
    switch (frame.section) {
    case Section::Model:
        if (frame.key == "type" && value != "BPE")
            throwFileError(m_file, "model type \"" + value + "\" is not supported (only BPE)");
        return true;
    case Section::Merges: {
        const std::size_t space = value.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == value.size() ||
            value.find(' ', space + 1) != std::string::npos)
            throwFileError(m_file, mergeName() + " is not \"a b\": \"" + value + "\"");
        addMerge(std::string_view(value).substr(0, space), std::string_view(value).substr(space + 1));
        return true;
    }
    case Section::MergePair:
        if (m_pairCount < 2)
            m_pairParts[m_pairCount] = value;
        ++m_pairCount;
        return true;
    case Section::AddedToken:
        if (frame.key == "content") {
            m_addedToken.content = value;
            m_addedHasContent = true;
        }
        return true;
    case Section::Normalizer:
        if (frame.key == "type")
            m_normalizerType = value;
        return true;
    case Section::PreTokenizer:
        m_sawQwenPattern = m_sawQwenPattern || value == kQwen2SplitPattern;
        return true;
    default:
        return scalar("a string");
    }
}

// Merges are counted per entry of model.merges (a pair's two strings are one merge).
void TokenizerJsonReader::addMerge(std::string_view left, std::string_view right) {
    constexpr std::size_t kBatch = 1024;
    if (m_bufferedMerges == m_mergeBuffer.size())
        m_mergeBuffer.emplace_back();
    auto& [bufferedLeft, bufferedRight] = m_mergeBuffer[m_bufferedMerges++];
    bufferedLeft.assign(left);
    bufferedRight.assign(right);
    ++m_mergeIndex;
    if (m_bufferedMerges >= kBatch && m_model.vocabFinished())
        flushMerges();
}

void TokenizerJsonReader::flushMerges() {
    m_mergeViews.clear();
    for (std::size_t i = 0; i < m_bufferedMerges; ++i)
        m_mergeViews.emplace_back(m_mergeBuffer[i].first, m_mergeBuffer[i].second);
    if (const auto failure = m_model.addMerges(m_mergeViews)) {
        const auto& [left, right] = m_mergeViews[failure->index];
        throwMergeError(m_file, "model.merges[" + std::to_string(m_firstBufferedMerge + failure->index) + "]", left,
                        right, failure->result);
    }
    m_firstBufferedMerge += m_bufferedMerges;
    m_bufferedMerges = 0;
}

void TokenizerJsonReader::finish() {
    if (m_rootSection == Section::Vocab) {
        return;
    }
    if (!m_sawModel)
        throwFileError(m_file, "no \"model\" object");
    if (!m_sawVocab)
        throwFileError(m_file, "no \"model.vocab\" object");
    if (!m_sawMerges)
        throwFileError(m_file, "no \"model.merges\" array");
    if (m_normalizerType != "NFC" || !m_sawQwenPattern) {
        auto logger = spdlog::get("engine");
        (logger ? logger : spdlog::default_logger())
            ->warn("{}: normalizer or pre-tokenizer differ from Qwen2's (NFC, the Qwen2 split regex); encoding "
                   "follows Qwen2's and may not match this tokenizer's reference",
                   m_file.string());
    }
}

void readJson(const fs::path& file, TokenizerJsonReader& reader, BpeModel& model, bool hasMerges) {
    const std::string text = readTokenizerFile(file);
    // SAX gives no counts up front; size the tables from the file (Qwen's tokenizer.json: 8 MB, 151k tokens, 294k
    // merges) so that they are not rehashed while filling. Only a hint: a wrong guess costs a rehash.
    model.reserveTokens(text.size() / (hasMerges ? 40 : 12));
    if (hasMerges)
        model.reserveMerges(text.size() / 24);
    try {
        json::sax_parse(text, &reader);
    } catch (const json::exception& error) {
        throwFileError(file, std::string("not valid JSON (") + error.what() + ")");
    }
    reader.finish();
}

} // namespace

void loadTokenizerJson(const fs::path& file, BpeModel& model, std::vector<AddedToken>& addedTokens) {
    TokenizerJsonReader reader(file, model, &addedTokens, Section::Root);
    readJson(file, reader, model, true);
}

void loadVocabJson(const fs::path& file, BpeModel& model) {
    TokenizerJsonReader reader(file, model, nullptr, Section::Vocab);
    readJson(file, reader, model, false);
}

} // namespace zimage::text
