// zimage-cli tokenize --model DIR (--text S | --file F) [--chat] [--max-length N]

#include "arguments.h"
#include "commands.h"
#include "text/tokenizer.h"
#include "tokenizer_location.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>

namespace zimage::cli {
namespace {

std::string readTextFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError("cannot read --file '" + path + "': no such file or no permission");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

int runTokenize(int argc, char** argv) {
    const Arguments args("tokenize",
                         {{"model"}, {"text"}, {"file"}, {"chat", false}, {"max-length"}, {"verbose", false}}, argc,
                         argv, 2);
    if (args.has("text") == args.has("file"))
        throw UsageError("'tokenize' needs exactly one of --text S or --file F");
    const std::string text = args.has("text") ? args.required("text") : readTextFile(args.required("file"));
    const bool chat = args.flag("chat");
    // The pipeline's max_sequence_length (512) applies to chat prompts; plain text is not truncated unless asked.
    const auto maxLength = args.integer("max-length", 1, 1 << 20).value_or(chat ? 512 : 1 << 30);

    const auto tokenizer = text::Tokenizer::fromFolder(findTokenizerFolder(args.required("model")));
    const auto tokens = text::tokenizePrompt(tokenizer, text, chat, static_cast<std::size_t>(maxLength));
    std::cout << nlohmann::json{{"ids", tokens.ids}}.dump() << "\n";
    return kExitOk;
}

} // namespace zimage::cli
