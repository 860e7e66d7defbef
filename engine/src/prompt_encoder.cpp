#include "prompt_encoder.h"

#include <torch/torch.h>

#include <set>

namespace zimage {

PromptEncoder::PromptEncoder(text::Tokenizer tokenizer, models::Qwen3TextEncoder encoder)
    : m_tokenizer(std::move(tokenizer))
    , m_encoder(std::move(encoder)) {}

PromptEncoder::Encoded PromptEncoder::encode(const std::vector<std::string>& prompts, int maxLength) {
    Encoded result;
    result.allCached = true;
    const auto device = m_encoder->parameters().front().device();
    for (const auto& prompt : prompts) {
        const auto key = std::make_pair(prompt, maxLength);
        if (const auto hit = m_cache.find(key); hit != m_cache.end()) {
            result.embeddings.push_back(hit->second);
            continue;
        }
        result.allCached = false;
        const auto tokens =
            text::tokenizePrompt(m_tokenizer, prompt, /*chat=*/true, static_cast<std::size_t>(maxLength));
        result.anyTruncated = result.anyTruncated || tokens.truncated;
        const auto ids = torch::tensor(std::vector<std::int64_t>(tokens.ids.begin(), tokens.ids.end()),
                                       torch::TensorOptions().dtype(torch::kLong))
                             .to(device)
                             .unsqueeze(0);
        auto embedding = m_encoder->forward(ids).squeeze(0); // [L, hidden]
        m_cache[key] = embedding;
        result.embeddings.push_back(embedding);
    }
    return result;
}

void PromptEncoder::keepOnly(const std::vector<std::string>& prompts, int maxLength) {
    std::set<std::pair<std::string, int>> keep;
    for (const auto& prompt : prompts)
        keep.emplace(prompt, maxLength);
    std::erase_if(m_cache, [&](const auto& entry) { return keep.count(entry.first) == 0; });
}

} // namespace zimage
