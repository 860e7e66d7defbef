#include "text/tokenizer_files.h"

#include "text/tokenizer.h"
#include "text/tokenizer_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <limits>

namespace zimage::text {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string quote(std::string_view text) {
    std::string out(1, '"');
    out.append(text);
    out += '"';
    return out;
}

json parseSmallJson(const fs::path& file) {
    const std::string text = readTokenizerFile(file);
    try {
        return json::parse(text);
    } catch (const json::parse_error& error) {
        throwFileError(file, std::string("not valid JSON (") + error.what() + ")");
    }
}

// "a b" -> ("a", "b"): both parts non-empty, one space.
bool splitMergeLine(std::string_view line, std::string_view& left, std::string_view& right) {
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string_view::npos)
        return false;
    left = line.substr(0, space);
    right = line.substr(space + 1);
    return true;
}

// One merge per line, in rank order, after an optional "#version: 0.2" line.
void loadMergesTxt(const fs::path& file, BpeModel& model) {
    const std::string text = readTokenizerFile(file);
    std::vector<BpeModel::MergeText> merges;
    std::vector<std::size_t> lineNumbers;
    const auto lineCount = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    merges.reserve(lineCount);
    lineNumbers.reserve(lineCount);
    std::size_t lineNumber = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty() || line.starts_with("#version"))
            continue;
        std::string_view left, right;
        if (!splitMergeLine(line, left, right))
            throwFileError(file, "line " + std::to_string(lineNumber) + " is not \"a b\"");
        merges.emplace_back(left, right);
        lineNumbers.push_back(lineNumber);
    }
    model.reserveMerges(merges.size());
    if (const auto failure = model.addMerges(merges)) {
        const auto& [left, right] = merges[failure->index];
        throwMergeError(file, "line " + std::to_string(lineNumbers[failure->index]), left, right, failure->result);
    }
}

std::int32_t parseTokenId(const json& value, const fs::path& file, const std::string& content) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        value.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max())
        throwFileError(file, "added token " + quote(content) + " has no valid id (" + value.dump() + ")");
    return static_cast<std::int32_t>(value.get<std::int64_t>());
}

// tokenizer_config.json: "added_tokens_decoder": {"151643": {"content": "<|endoftext|>", ...}, ...}.
void addConfigAddedTokens(const fs::path& file, std::vector<AddedToken>& addedTokens) {
    const json config = parseSmallJson(file);
    if (!config.is_object())
        throwFileError(file, "not a JSON object");
    const auto decoder = config.find("added_tokens_decoder");
    if (decoder == config.end())
        return;
    if (!decoder->is_object())
        throwFileError(file, "added_tokens_decoder is not an object");
    for (const auto& [idText, token] : decoder->items()) {
        const bool digits = !idText.empty() && idText.size() <= 10 &&
                            std::all_of(idText.begin(), idText.end(), [](char c) { return c >= '0' && c <= '9'; });
        const long long id = digits ? std::stoll(idText) : -1;
        if (id < 0 || id > std::numeric_limits<std::int32_t>::max())
            throwFileError(file, "added_tokens_decoder key " + quote(idText) + " is not a token id");
        const auto content = token.is_object() ? token.find("content") : token.end();
        if (!token.is_object() || content == token.end() || !content->is_string())
            throwFileError(file, "added_tokens_decoder entry " + quote(idText) + " has no \"content\" string");
        addedTokens.push_back({content->get<std::string>(), static_cast<std::int32_t>(id)});
    }
}

// added_tokens.json: {"<|endoftext|>": 151643, ...}.
void addAddedTokensJson(const fs::path& file, std::vector<AddedToken>& addedTokens) {
    const json tokens = parseSmallJson(file);
    if (!tokens.is_object())
        throwFileError(file, "not a JSON object of token -> id");
    for (const auto& [content, id] : tokens.items())
        addedTokens.push_back({content, parseTokenId(id, file, content)});
}

void loadVocabAndMerges(const fs::path& folder, BpeModel& model, std::vector<AddedToken>& addedTokens) {
    loadVocabJson(folder / "vocab.json", model);
    loadMergesTxt(folder / "merges.txt", model);
    std::error_code error;
    if (const fs::path config = folder / "tokenizer_config.json"; fs::exists(config, error))
        addConfigAddedTokens(config, addedTokens);
    if (const fs::path added = folder / "added_tokens.json"; fs::exists(added, error))
        addAddedTokensJson(added, addedTokens);
}

} // namespace

void throwFileError(const fs::path& file, const std::string& problem) {
    throw TokenizerError(file.string() + ": " + problem);
}

void throwMergeError(const fs::path& file, const std::string& where, std::string_view left, std::string_view right,
                     BpeModel::MergeResult result) {
    switch (result) {
    case BpeModel::MergeResult::UnknownLeft:
        throwFileError(file, where + ": merge part " + quote(left) + " is not in the vocabulary");
    case BpeModel::MergeResult::UnknownRight:
        throwFileError(file, where + ": merge part " + quote(right) + " is not in the vocabulary");
    default:
        throwFileError(file, where + ": merged token " + quote(std::string(left) + std::string(right)) +
                                 " is not in the vocabulary");
    }
}

std::string readTokenizerFile(const fs::path& file) {
    std::error_code error;
    const auto size = fs::file_size(file, error);
    std::ifstream in(file, std::ios::binary);
    if (error || !in)
        throwFileError(file, "cannot be opened");
    std::string text(static_cast<std::size_t>(size), '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
        throwFileError(file, "cannot be read");
    return text;
}

void loadTokenizerFolder(const fs::path& folder, BpeModel& model, std::vector<AddedToken>& addedTokens) {
    std::error_code error;
    if (!fs::is_directory(folder, error))
        throwFileError(folder, "the tokenizer folder does not exist");
    if (const fs::path file = folder / "tokenizer.json"; fs::exists(file, error)) {
        loadTokenizerJson(file, model, addedTokens);
        return;
    }
    if (fs::exists(folder / "vocab.json", error) || fs::exists(folder / "merges.txt", error)) {
        loadVocabAndMerges(folder, model, addedTokens);
        return;
    }
    throwFileError(folder, "no tokenizer.json, nor vocab.json + merges.txt");
}

} // namespace zimage::text
