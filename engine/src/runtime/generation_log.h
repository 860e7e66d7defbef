#pragma once
// The generation log: one JSON object per line (JSON Lines) for every generation, whatever its outcome, in the
// user's data folder. It answers "how fast was it, with which plan, did it fail" across sessions, for the user and
// for bug reports. Written through spdlog's rotating file sink, so it never grows past maxBytes * maxFiles.
// Torch-free.

#include <zimage/result.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace spdlog {
class logger;
}

namespace zimage::runtime {

// $XDG_DATA_HOME/zimage-studio, else $HOME/.local/share/zimage-studio (the XDG base-directory rules; the GUI keeps
// its history database there too). Throws std::runtime_error when neither variable nor the password database names
// a home folder.
std::filesystem::path defaultDataFolder();
// defaultDataFolder() / "generations.jsonl"
std::filesystem::path defaultGenerationLogPath();

// The 64-bit FNV-1a hash of the UTF-8 prompt, as 16 lowercase hex digits. The log keeps this instead of the text:
// logs get attached to bug reports and prompts can be private, yet equal hashes still show which records used the
// same prompt. It hides the text from a reader, not from someone who can guess the prompt and hash the guess.
std::string promptHash(std::string_view utf8Prompt);
// Several prompts (a batch): one hash over all of them, a zero byte between two, so that {"ab", "c"} and
// {"a", "bc"} differ. A single prompt hashes as promptHash(prompt).
std::string promptHash(const std::vector<std::string>& utf8Prompts);

// "2025-06-01T12:34:56.789Z": UTC, milliseconds.
std::string utcTimestamp(std::chrono::system_clock::time_point time);

enum class GenerationOutcome { Ok, Cancelled, Error };
std::string_view generationOutcomeName(GenerationOutcome outcome); // "ok", "cancelled", "error"

struct GenerationRecord {
    std::string time; // utcTimestamp(); GenerationLog::append fills it in when empty
    std::string promptHash;
    std::vector<std::uint64_t> seeds; // one per image
    int steps = 0;
    int width = 0;
    int height = 0;
    int batch = 0;
    double guidance = 0.0;
    std::string plan;                                      // the planner's summary, one line
    nlohmann::json planDetails = nlohmann::json::object(); // whatever the planner wants to keep
    std::string precision;                                 // "bf16"
    std::string device;                                    // "cuda:0 (NVIDIA H200)"
    Timings timings;                                       // what ran before a cancel or error
    double peakAllocatedMb = 0.0;                          // the caching allocator's, MiB
    double peakReservedMb = 0.0;
    std::vector<std::string> warnings;
    GenerationOutcome outcome = GenerationOutcome::Ok;
    std::string error; // the message, for GenerationOutcome::Error
};

// A record of what was asked: prompt hash, seeds (image i uses seed + i), steps, size, batch, guidance, precision.
// Outcome Ok; the caller sets the rest (plan, outcome and error, or everything with recordResult).
GenerationRecord generationRecordOf(const GenerationRequest& request);
// A finished generation: the request as run, its seeds, device, timings, peaks and warnings.
GenerationRecord generationRecordOf(const GenerationResult& result);

// Stable snake_case keys: time, prompt_hash, seeds, steps, width, height, batch, guidance, plan, plan_details,
// precision, device, timings {text_encoder_ms, step_ms, denoise_ms, vae_decode_ms, total_ms}, peak_allocated_mb,
// peak_reserved_mb, warnings, outcome, error ("" unless the outcome is an error).
nlohmann::json toJson(const GenerationRecord& record);

class GenerationLog {
public:
    static constexpr std::size_t kDefaultMaxBytes = 10 * 1024 * 1024;
    static constexpr std::size_t kDefaultMaxFiles = 5;

    // Appends to `file` (creating it and its folder). Past maxBytes the file is renamed name.1.jsonl (the older
    // ones move up, name.2.jsonl, ...) and a new one begun; at most maxFiles files exist, this one included.
    // Throws std::runtime_error naming the path, the reason and what to do when the file cannot be written, and
    // std::invalid_argument when maxBytes or maxFiles is 0.
    explicit GenerationLog(std::filesystem::path file, std::size_t maxBytes = kDefaultMaxBytes,
                           std::size_t maxFiles = kDefaultMaxFiles);
    ~GenerationLog();
    GenerationLog(GenerationLog&&) noexcept;
    GenerationLog& operator=(GenerationLog&&) noexcept;

    // One line, flushed before returning (a crash later loses nothing written). Thread-safe; never throws: a
    // failed write is reported once, as an spdlog warning, and the generation goes on.
    void append(const GenerationRecord& record);
    const std::filesystem::path& path() const { return m_path; }

private:
    struct WriteFailures;

    std::filesystem::path m_path;
    std::shared_ptr<spdlog::logger> m_logger;
    std::shared_ptr<WriteFailures> m_failures; // shared with the logger's error handler
};

} // namespace zimage::runtime
