// Loading tokenizer folders: both file forms and both merge spellings give the fixture's encodings
// (golden/tokenizer_vectors*.json, from Hugging Face tokenizers), BPE follows merge ranks on small hand-made
// vocabularies, and bad files fail with errors that name them.

#include "text/byte_level.h"
#include "text/pre_tokenizer.h"
#include "text/utf8.h"
#include "tokenizer_fixture.h"

using namespace zimage;
using namespace zimage::test;
using nlohmann::json;

namespace {

// The fixture's tokenizer.json as a JSON tree (8 MB: parsed once).
const json& fixtureTokenizerJson() {
    static const json document = readJson(fixtureTokenizerDir() / "tokenizer.json");
    return document;
}

void writeJson(const std::filesystem::path& path, const json& value) {
    writeText(path, value.dump());
}

void checkGoldenEncodings(const text::Tokenizer& tokenizer, const std::string& form) {
    for (const char* file : {"tokenizer_vectors.json", "tokenizer_vectors_llamacpp.json"})
        for (const auto& vector : readJson(fixtureDir() / "golden" / file)) {
            const auto input = vector.at("text").get<std::string>();
            const auto ids = tokenizer.encode(input);
            const auto expected = vector.at("ids").get<std::vector<std::int32_t>>();
            if (ids != expected)
                ZT_FAIL(form + ": " + json(input).dump() + " -> " + describeIds(ids) + ", expected " +
                            describeIds(expected),
                        false);
        }
    CHECK_EQ(tokenizer.vocabSize(), fixtureTokenizer().vocabSize());
}

// A byte-level vocabulary: the 256 byte symbols (ids 0..255 in byte order), then `extra`.
json byteLevelVocab(const std::vector<std::string>& extra) {
    json vocab = json::object();
    const auto& table = text::ByteLevelTable::instance();
    for (unsigned byte = 0; byte < 256; ++byte) {
        std::string symbol;
        text::appendUtf8(symbol, table.charForByte(static_cast<unsigned char>(byte)));
        vocab[symbol] = byte;
    }
    for (const auto& token : extra)
        vocab[token] = 256 + (vocab.size() - 256);
    return vocab;
}

// Merges as ["a", "b"] pairs (a braced list of pairs would read as a JSON object).
json pairs(std::initializer_list<std::pair<const char*, const char*>> merges) {
    json list = json::array();
    for (const auto& [left, right] : merges)
        list.push_back(json::array({left, right}));
    return list;
}

json tokenizerJson(const json& vocab, const json& merges, bool ignoreMerges = false) {
    return {{"version", "1.0"},
            {"added_tokens", json::array()},
            {"normalizer", {{"type", "NFC"}}},
            {"pre_tokenizer", {{"type", "Split"}, {"pattern", {{"Regex", std::string(text::kQwen2SplitPattern)}}}}},
            {"model", {{"type", "BPE"}, {"ignore_merges", ignoreMerges}, {"vocab", vocab}, {"merges", merges}}}};
}

text::Tokenizer loadSmall(const std::string& name, const json& document) {
    const auto dir = tempDir(name);
    writeJson(dir / "tokenizer.json", document);
    return text::Tokenizer::fromFolder(dir);
}

std::vector<std::int32_t> idsOf(const text::Tokenizer& tokenizer, const std::vector<std::string>& tokens) {
    std::vector<std::int32_t> ids;
    for (const auto& token : tokens)
        ids.push_back(tokenizer.tokenId(token).value_or(-1));
    return ids;
}

} // namespace

// The ComfyUI-style folder: vocab.json + merges.txt + tokenizer_config.json (added_tokens_decoder), written from the
// fixture's tokenizer.json.
TEST_CASE(loadsVocabAndMergesForm) {
    const auto& source = fixtureTokenizerJson();
    const auto dir = tempDir("slow_form");
    writeJson(dir / "vocab.json", source.at("model").at("vocab"));
    std::string merges = "#version: 0.2\n";
    for (const auto& merge : source.at("model").at("merges"))
        merges += merge[0].get<std::string>() + " " + merge[1].get<std::string>() + "\n";
    writeText(dir / "merges.txt", merges);
    auto config = readJson(fixtureTokenizerDir() / "tokenizer_config.json");
    json decoder = json::object();
    for (const auto& token : source.at("added_tokens"))
        decoder[std::to_string(token.at("id").get<int>())] = {{"content", token.at("content")},
                                                              {"special", token.at("special")}};
    config["added_tokens_decoder"] = decoder;
    writeJson(dir / "tokenizer_config.json", config);

    checkGoldenEncodings(text::Tokenizer::fromFolder(dir), "vocab.json + merges.txt");
}

// Older tokenizer.json files spell merges "a b". (nlohmann writes keys sorted, so "merges" also comes before
// "vocab" here: the reader must not depend on the order.)
TEST_CASE(loadsStringMerges) {
    auto document = fixtureTokenizerJson();
    json merges = json::array();
    for (const auto& merge : document.at("model").at("merges"))
        merges.push_back(merge[0].get<std::string>() + " " + merge[1].get<std::string>());
    document["model"]["merges"] = std::move(merges);
    const auto dir = tempDir("string_merges");
    writeJson(dir / "tokenizer.json", document);
    checkGoldenEncodings(text::Tokenizer::fromFolder(dir), "string merges");
}

TEST_CASE(mergesFollowRanks) {
    const auto vocab = byteLevelVocab({"ab", "bc", "abc", "aa"});
    const auto bcFirst = loadSmall("bc_first", tokenizerJson(vocab, pairs({{"b", "c"}, {"a", "b"}, {"ab", "c"}})));
    CHECK_EQ(describeIds(bcFirst.encode("abc")), describeIds(idsOf(bcFirst, {"a", "bc"})));
    const auto abFirst = loadSmall("ab_first", tokenizerJson(vocab, json::array({"a b", "b c", "ab c"})));
    CHECK_EQ(describeIds(abFirst.encode("abc")), describeIds(idsOf(abFirst, {"abc"})));
    // Equal ranks: the leftmost pair merges first.
    const auto leftmost = loadSmall("leftmost", tokenizerJson(vocab, pairs({{"a", "a"}})));
    CHECK_EQ(describeIds(leftmost.encode("aaa")), describeIds(idsOf(leftmost, {"aa", "a"})));
    // A repeated merge takes its later rank (the reference builds a map from the list).
    const auto repeated = loadSmall("repeated", tokenizerJson(vocab, pairs({{"a", "b"}, {"b", "c"}, {"a", "b"}})));
    CHECK_EQ(describeIds(repeated.encode("abc")), describeIds(idsOf(repeated, {"a", "bc"})));
    // ignore_merges: a piece that is a vocabulary entry is taken whole.
    const auto whole = loadSmall("ignore_merges", tokenizerJson(vocab, json::array(), true));
    CHECK_EQ(describeIds(whole.encode("abc")), describeIds(idsOf(whole, {"abc"})));
    const auto bytes = loadSmall("no_merges", tokenizerJson(vocab, json::array()));
    CHECK_EQ(describeIds(bytes.encode("abc")), describeIds(idsOf(bytes, {"a", "b", "c"})));
}

TEST_CASE(readsAddedTokensJson) {
    const auto dir = tempDir("added_tokens_json");
    writeJson(dir / "vocab.json", byteLevelVocab({}));
    writeText(dir / "merges.txt", "#version: 0.2\n");
    writeJson(dir / "added_tokens.json", {{"<|im_start|>", 300}, {"<|im_end|>", 301}, {"<|im_start|>x", 302}});
    const auto tokenizer = text::Tokenizer::fromFolder(dir);
    CHECK_EQ(tokenizer.vocabSize(), std::size_t(259));
    // Longest match first, then ordinary text between added tokens.
    CHECK_EQ(describeIds(tokenizer.encode("<|im_start|>xy<|im_start|><|im_end|>")), describeIds({302, 'y', 300, 301}));
    CHECK_EQ(tokenizer.decode(std::vector<std::int32_t>{302, 300}), "<|im_start|>x<|im_start|>");
}

TEST_CASE(chatTemplateNeedsItsAddedTokens) {
    const auto tokenizer = loadSmall("no_added", tokenizerJson(byteLevelVocab({}), json::array()));
    CHECK_THROWS_WITH(text::tokenizePrompt(tokenizer, "a cat", true, 512), text::TokenizerError, "<|im_start|>");
    CHECK_EQ(text::tokenizePrompt(tokenizer, "a cat", false, 512).ids.size(), std::size_t(5));
}

TEST_CASE(reportsMissingAndBrokenFiles) {
    using text::Tokenizer;
    using text::TokenizerError;
    const auto root = tempDir("broken");
    CHECK_THROWS_WITH(Tokenizer::fromFolder(root / "absent"), TokenizerError, "does not exist");
    std::filesystem::create_directories(root / "empty");
    CHECK_THROWS_WITH(Tokenizer::fromFolder(root / "empty"), TokenizerError, "no tokenizer.json");

    const auto expectFailure = [&](const std::string& name, const std::string& content, const std::string& problem) {
        const auto dir = root / name;
        std::filesystem::create_directories(dir);
        writeText(dir / "tokenizer.json", content);
        CHECK_THROWS_WITH(Tokenizer::fromFolder(dir), TokenizerError, (dir / "tokenizer.json").string());
        CHECK_THROWS_WITH(Tokenizer::fromFolder(dir), TokenizerError, problem);
    };
    const auto vocab = byteLevelVocab({"ab"});
    std::string valid = tokenizerJson(vocab, pairs({{"a", "b"}})).dump();
    expectFailure("truncated", valid.substr(0, valid.size() / 2), "not valid JSON");
    expectFailure("empty_file", "", "not valid JSON");
    expectFailure("array", "[]", "not a JSON object");
    expectFailure("no_model", R"({"added_tokens": []})", "no \"model\" object");
    expectFailure("no_merges", json{{"model", {{"vocab", vocab}}}}.dump(), "no \"model.merges\"");
    expectFailure("wordpiece",
                  json{{"model", {{"type", "WordPiece"}, {"vocab", vocab}, {"merges", json::array()}}}}.dump(),
                  "not supported");
    auto badId = vocab;
    badId["ab"] = "seven";
    expectFailure("string_id", tokenizerJson(badId, json::array()).dump(), "\"ab\" has no valid id");
    auto repeatedId = vocab;
    repeatedId["ab"] = 3;
    expectFailure("repeated_id", tokenizerJson(repeatedId, json::array()).dump(), "repeats");
    expectFailure("unknown_part", tokenizerJson(vocab, pairs({{"a", "b"}, {"a", "zz"}})).dump(),
                  "model.merges[1]: merge part \"zz\" is not in the vocabulary");
    expectFailure("unknown_merged", tokenizerJson(vocab, pairs({{"b", "a"}})).dump(), "merged token \"ba\"");
    expectFailure("three_parts", tokenizerJson(vocab, json::array({"a b c"})).dump(), "model.merges[0] is not \"a b\"");
    expectFailure("pair_of_three", tokenizerJson(vocab, json::array({json::array({"a", "b", "c"})})).dump(),
                  "model.merges[0] is neither");
    expectFailure("no_bytes", tokenizerJson(json{{"a", 0}}, json::array()).dump(), "byte");
    expectFailure(
        "added_without_id",
        json{{"added_tokens", {{{"content", "<x>"}}}}, {"model", {{"vocab", vocab}, {"merges", json::array()}}}}.dump(),
        "added_tokens");

    const auto slow = root / "slow";
    std::filesystem::create_directories(slow);
    writeJson(slow / "vocab.json", vocab);
    CHECK_THROWS_WITH(Tokenizer::fromFolder(slow), TokenizerError, (slow / "merges.txt").string());
    writeText(slow / "merges.txt", "#version: 0.2\na b\nnot-a-merge\n");
    CHECK_THROWS_WITH(Tokenizer::fromFolder(slow), TokenizerError, "merges.txt: line 3 is not \"a b\"");
    writeText(slow / "merges.txt", "#version: 0.2\na b\n");
    writeText(slow / "tokenizer_config.json", "{\"added_tokens_decoder\": ");
    CHECK_THROWS_WITH(Tokenizer::fromFolder(slow), TokenizerError, "tokenizer_config.json: not valid JSON");
    writeJson(slow / "tokenizer_config.json", {{"added_tokens_decoder", {{"x1", {{"content", "<x>"}}}}}});
    CHECK_THROWS_WITH(Tokenizer::fromFolder(slow), TokenizerError, "\"x1\" is not a token id");
    writeJson(slow / "tokenizer_config.json", {{"added_tokens_decoder", {{"300", {{"content", "<x>"}}}}}});
    CHECK_EQ(Tokenizer::fromFolder(slow).tokenId("<x>").value_or(-1), 300);
}
