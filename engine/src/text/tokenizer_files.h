#pragma once
// Reading a tokenizer folder in either of its two forms:
//   - tokenizer.json (Hugging Face tokenizers): model.vocab, model.merges ("a b" strings in older files,
//     ["a", "b"] pairs in newer ones), added_tokens;
//   - vocab.json + merges.txt (the "slow" tokenizer files some ComfyUI installs carry), with the added tokens from
//     tokenizer_config.json "added_tokens_decoder" and/or added_tokens.json.
// tokenizer.json wins when both are present. Every error names the file.

#include "text/added_tokens.h"
#include "text/bpe_model.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace zimage::text {

// Fills `model` (empty on entry) and `addedTokens`. Throws TokenizerError.
void loadTokenizerFolder(const std::filesystem::path& folder, BpeModel& model, std::vector<AddedToken>& addedTokens);

// Helpers of the readers. All throw TokenizerError("<file>: <problem>").
std::string readTokenizerFile(const std::filesystem::path& file);
[[noreturn]] void throwFileError(const std::filesystem::path& file, const std::string& problem);
// `where` names the merge ("model.merges[12]", "line 14"); `result` says what BpeModel::addMerges missed.
[[noreturn]] void throwMergeError(const std::filesystem::path& file, const std::string& where, std::string_view left,
                                  std::string_view right, BpeModel::MergeResult result);

} // namespace zimage::text
