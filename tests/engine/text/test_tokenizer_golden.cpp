// Encodings against the reference. Expected values: golden/tokenizer_vectors.json and
// golden/tokenizer_vectors_llamacpp.json were produced by Hugging Face tokenizers from the fixture's tokenizer.json
// (the second is llama.cpp's public test set for this vocabulary); golden/case_<name>.safetensors holds the
// input_ids the diffusers ZImagePipeline fed its text encoder (chat template + truncation to max_sequence_length).

#include "io/safetensors.h"
#include "tokenizer_fixture.h"

#include <cstring>

using namespace zimage;
using namespace zimage::test;

namespace {

void checkVectors(const std::filesystem::path& file) {
    const auto vectors = readJson(file);
    REQUIRE(vectors.is_array() && !vectors.empty());
    const auto& tokenizer = fixtureTokenizer();
    for (const auto& vector : vectors) {
        const auto text = vector.at("text").get<std::string>();
        const auto expected = vector.at("ids").get<std::vector<std::int32_t>>();
        const auto ids = tokenizer.encode(text);
        if (ids != expected)
            ZT_FAIL(file.filename().string() + ": \"" + text + "\" -> " + describeIds(ids) + ", expected " +
                        describeIds(expected),
                    false);
        if (vector.contains("chat_prompt")) {
            const auto prompt = vector.at("chat_prompt").get<std::string>();
            CHECK_EQ(text::applyChatTemplate(prompt, vector.at("enable_thinking").get<bool>()), text);
        }
    }
}

} // namespace

TEST_CASE(matchesReferenceVectors) {
    checkVectors(fixtureDir() / "golden" / "tokenizer_vectors.json");
}

TEST_CASE(matchesLlamaCppVectors) {
    checkVectors(fixtureDir() / "golden" / "tokenizer_vectors_llamacpp.json");
}

// Every pipeline case's prompts, through the chat template and truncation, give the ids the reference used.
TEST_CASE(matchesPipelineInputIds) {
    const auto cases = readJson(fixtureDir() / "golden" / "cases.json");
    int checked = 0;
    for (const auto& testCase : cases.at("cases")) {
        const auto name = testCase.at("name").get<std::string>();
        const auto file = io::SafetensorsFile::open(fixtureDir() / "golden" / ("case_" + name + ".safetensors"));
        const auto maxLength = testCase.at("max_sequence_length").get<std::size_t>();
        const auto& prompts = testCase.at("prompts");
        for (std::size_t i = 0; i < prompts.size(); ++i) {
            const auto& info = file->at("input_ids." + std::to_string(i));
            REQUIRE(info.dtype == io::DType::I64);
            const auto bytes = file->bytes(info);
            std::vector<std::int32_t> expected(bytes.size() / sizeof(std::int64_t));
            for (std::size_t k = 0; k < expected.size(); ++k) {
                std::int64_t value = 0;
                std::memcpy(&value, bytes.data() + k * sizeof(value), sizeof(value));
                expected[k] = static_cast<std::int32_t>(value);
            }
            const auto tokens =
                text::tokenizePrompt(fixtureTokenizer(), prompts[i].get<std::string>(), true, maxLength);
            if (tokens.ids != expected)
                ZT_FAIL("case " + name + " prompt " + std::to_string(i) + ": " + describeIds(tokens.ids) +
                            ", expected " + describeIds(expected),
                        false);
            CHECK_EQ(tokens.truncated, tokens.untruncatedLength > maxLength);
            ++checked;
        }
    }
    CHECK(checked >= 7);
}
