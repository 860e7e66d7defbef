#pragma once
// Streaming readers of the two big JSON files of a tokenizer folder, tokenizer.json (8 MB for Qwen: 151k vocabulary
// entries, 294k merges) and vocab.json. They use nlohmann's SAX interface and hand entries to the model as they are
// read, so no JSON tree with a million nodes is built and torn down. Errors name the file.

#include "text/added_tokens.h"
#include "text/bpe_model.h"

#include <filesystem>
#include <vector>

namespace zimage::text {

// model.vocab, model.merges ("a b" or ["a", "b"]), model.ignore_merges, added_tokens. Warns (does not fail) when
// the normalizer or pre-tokenizer is not Qwen2's, since encoding always follows Qwen2's.
void loadTokenizerJson(const std::filesystem::path& file, BpeModel& model, std::vector<AddedToken>& addedTokens);

// A JSON object of token -> id; finishes the vocabulary.
void loadVocabJson(const std::filesystem::path& file, BpeModel& model);

} // namespace zimage::text
