#pragma once
// Prompt text -> text-encoder embeddings, with a cache of the last prompts' embeddings so that re-rolling seeds or
// changing the size skips the text encoder entirely.

#include "models/qwen3_text_encoder.h"
#include "text/tokenizer.h"

#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace zimage {

class PromptEncoder {
public:
    PromptEncoder(text::Tokenizer tokenizer, models::Qwen3TextEncoder encoder);

    struct Encoded {
        std::vector<torch::Tensor> embeddings; // per prompt [L_i, hidden], in the encoder's dtype and device
        bool allCached = false;
        bool anyTruncated = false;
    };
    // Chat template, tokenize, truncate to maxLength, encode (hidden_states[-2]); each prompt on its own, unpadded.
    Encoded encode(const std::vector<std::string>& prompts, int maxLength);
    // Keeps the embeddings of `prompts` (just used) and drops the rest.
    void keepOnly(const std::vector<std::string>& prompts, int maxLength);
    void clearCache() { m_cache.clear(); }

    const text::Tokenizer& tokenizer() const { return m_tokenizer; }
    models::Qwen3TextEncoder& encoder() { return m_encoder; }

private:
    text::Tokenizer m_tokenizer;
    models::Qwen3TextEncoder m_encoder;
    std::map<std::pair<std::string, int>, torch::Tensor> m_cache;
};

} // namespace zimage
