// applyChatTemplate and tokenizePrompt (declared in tokenizer.h): the prompt side of Z-Image's text encoding.

#include "text/tokenizer.h"
#include "text/utf8.h"

namespace zimage::text {

std::string applyChatTemplate(std::string_view prompt, bool enableThinking) {
    // What the Qwen3 Jinja template in tokenizer_config.json renders for [{"role": "user", "content": prompt}] with
    // add_generation_prompt=True; enable_thinking=False adds an empty thinking block.
    std::string text;
    text.reserve(prompt.size() + 64);
    text += "<|im_start|>user\n";
    text += prompt;
    text += "<|im_end|>\n<|im_start|>assistant\n";
    if (!enableThinking)
        text += "<think>\n\n</think>\n\n";
    return text;
}

PromptTokens tokenizePrompt(const Tokenizer& tokenizer, std::string_view prompt, bool chat, std::size_t maxLength) {
    // Checked here so that an error's byte offset points into the prompt, not into the templated text.
    if (const auto problem = findInvalidUtf8(prompt))
        throw TokenizerError(describe(*problem));
    PromptTokens result;
    if (chat) {
        for (const char* token : {"<|im_start|>", "<|im_end|>"})
            if (!tokenizer.tokenId(token))
                throw TokenizerError(std::string("the tokenizer has no ") + token +
                                     " token, which the chat template needs (are its added tokens missing?)");
        result.ids = tokenizer.encode(applyChatTemplate(prompt));
    } else {
        result.ids = tokenizer.encode(prompt);
    }
    result.untruncatedLength = result.ids.size();
    if (result.ids.size() > maxLength) {
        result.ids.resize(maxLength);
        result.truncated = true;
    }
    return result;
}

} // namespace zimage::text
