#pragma once

#include <filesystem>

namespace zimage::cli {

// --model may name a tokenizer folder itself (tokenizer.json or vocab.json inside) or any model location that
// locateModel() understands; returns the tokenizer folder. Throws EngineError(ModelFiles) if there is none.
std::filesystem::path findTokenizerFolder(const std::filesystem::path& modelOrTokenizer);

} // namespace zimage::cli
