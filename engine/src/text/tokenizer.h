#pragma once
// The Qwen2/Qwen3 tokenizer of Z-Image's text encoder: byte-level BPE as Hugging Face tokenizers runs it from
// tokenizer.json (see REFERENCE.md, "Tokenizer"). No LibTorch. Encoding is:
//   1. find added tokens (<|im_start|>, ...) literally in the raw text (added_tokens.h);
//   2. NFC-normalize the text between them (normalizer.h);
//   3. split it into pieces with the Qwen2 regex (pre_tokenizer.h);
//   4. BPE each piece's bytes into vocabulary ids (bpe_model.h).
// A Tokenizer is a cheap handle to shared, immutable data (plus a thread-safe piece cache): copy it freely and use
// it from several threads at once.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zimage::text {

// Bad or missing tokenizer files (the message names the file), or invalid UTF-8 input (it gives the byte offset).
class TokenizerError : public std::runtime_error {
public:
    using runtime_error::runtime_error;
};

class Tokenizer {
public:
    // A folder holding tokenizer.json (merges as "a b" strings or ["a", "b"] pairs), or else vocab.json + merges.txt
    // with the added tokens from tokenizer_config.json "added_tokens_decoder" (or added_tokens.json), the form some
    // ComfyUI installs carry. Throws TokenizerError.
    static Tokenizer fromFolder(const std::filesystem::path& folder);

    // Token ids of `utf8`; no BOS/EOS are added (Qwen's post-processor adds none). Throws TokenizerError on invalid
    // UTF-8, naming the byte offset.
    std::vector<std::int32_t> encode(std::string_view utf8) const;
    // The text of `ids` (added tokens included as their text). Ids without a token are skipped and bytes that do not
    // form UTF-8 (a sequence cut inside a character) become U+FFFD, as the reference decoder does.
    std::string decode(std::span<const std::int32_t> ids) const;
    // The id of a vocabulary entry (in its byte-level spelling, "Ġcat") or of an added token.
    std::optional<std::int32_t> tokenId(std::string_view token) const;
    // Distinct tokens, added tokens included (151669 for Qwen3; the text encoder's embedding has 151936 rows).
    std::size_t vocabSize() const;

private:
    struct State;
    explicit Tokenizer(std::shared_ptr<const State> state);

    std::shared_ptr<const State> m_state;
};

// The Qwen3 chat template for one user turn with the generation prompt:
// "<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n", plus "<think>\n\n</think>\n\n" when thinking is
// disabled. Z-Image uses enableThinking = true (nothing appended). No system message, no BOS.
std::string applyChatTemplate(std::string_view prompt, bool enableThinking = true);

struct PromptTokens {
    std::vector<std::int32_t> ids;
    bool truncated = false;
    std::size_t untruncatedLength = 0; // tokens before truncation
};

// The chat template (when `chat`), encode, then keep the first `maxLength` tokens, cutting the tail even when that
// removes the closing template tokens, as the reference does (Z-Image: chat = true, maxLength = 512). With `chat`,
// throws TokenizerError if the tokenizer lacks the template's <|im_start|>/<|im_end|> added tokens (they would
// otherwise be split into plain text silently).
PromptTokens tokenizePrompt(const Tokenizer& tokenizer, std::string_view prompt, bool chat, std::size_t maxLength);

} // namespace zimage::text
