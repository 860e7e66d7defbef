#include "tokenizer_location.h"

#include <zimage/model_source.h>

namespace zimage::cli {

std::filesystem::path findTokenizerFolder(const std::filesystem::path& modelOrTokenizer) {
    if (std::filesystem::exists(modelOrTokenizer / "tokenizer.json") ||
        std::filesystem::exists(modelOrTokenizer / "vocab.json"))
        return modelOrTokenizer;
    return locateModel(modelOrTokenizer).tokenizer;
}

} // namespace zimage::cli
