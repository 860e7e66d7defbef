#include "runtime/generation_log.h"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <system_error>

namespace zimage::runtime {
namespace {

constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL; // FNV-1a 64-bit parameters (Fowler, Noll, Vo)
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t fnv1a(std::uint64_t hash, std::string_view bytes) {
    for (const char byte : bytes) {
        hash ^= static_cast<unsigned char>(byte);
        hash *= kFnvPrime;
    }
    return hash;
}

std::string hex16(std::uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

// An absolute path from an environment variable, or empty (XDG: relative values are to be ignored).
std::filesystem::path absolutePathFromEnvironment(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value)
        return {};
    std::filesystem::path path(value);
    return path.is_absolute() ? path : std::filesystem::path();
}

std::filesystem::path homeFolder() {
    if (auto home = absolutePathFromEnvironment("HOME"); !home.empty())
        return home;
    // No HOME (a service, a bare container): the password database's entry for this user.
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_dir &&
        *found->pw_dir)
        return found->pw_dir;
    return {};
}

std::string cannotWriteMessage(const std::filesystem::path& file, const std::string& reason) {
    return "Cannot write the generation log " + file.string() + ": " + reason +
           ". Choose another log path, or make that folder writable (check its owner and permissions).";
}

std::shared_ptr<spdlog::sinks::rotating_file_sink_mt> openRotatingFile(const std::filesystem::path& file,
                                                                       std::size_t maxBytes, std::size_t maxFiles) {
    std::error_code error;
    if (file.has_parent_path())
        std::filesystem::create_directories(file.parent_path(), error);
    if (error)
        throw std::runtime_error(cannotWriteMessage(file, "cannot create its folder (" + error.message() + ")"));
    try {
        // spdlog counts the rotated files beside the current one.
        return std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file.string(), maxBytes, maxFiles - 1);
    } catch (const spdlog::spdlog_ex& failure) {
        throw std::runtime_error(cannotWriteMessage(file, failure.what()));
    }
}

} // namespace

std::filesystem::path defaultDataFolder() {
    if (auto dataHome = absolutePathFromEnvironment("XDG_DATA_HOME"); !dataHome.empty())
        return dataHome / "zimage-studio";
    const auto home = homeFolder();
    if (home.empty())
        throw std::runtime_error("Cannot find a folder for Z-Image Studio's data: neither XDG_DATA_HOME nor HOME is "
                                 "set to an absolute path. Set one of them, or choose the log path explicitly.");
    return home / ".local" / "share" / "zimage-studio";
}

std::filesystem::path defaultGenerationLogPath() {
    return defaultDataFolder() / "generations.jsonl";
}

std::string promptHash(std::string_view utf8Prompt) {
    return hex16(fnv1a(kFnvOffsetBasis, utf8Prompt));
}

std::string promptHash(const std::vector<std::string>& utf8Prompts) {
    std::uint64_t hash = kFnvOffsetBasis;
    for (std::size_t i = 0; i < utf8Prompts.size(); ++i) {
        if (i > 0)
            hash = fnv1a(hash, std::string_view("\0", 1));
        hash = fnv1a(hash, utf8Prompts[i]);
    }
    return hex16(hash);
}

std::string utcTimestamp(std::chrono::system_clock::time_point time) {
    const auto sinceEpoch = time.time_since_epoch();
    const auto seconds = std::chrono::floor<std::chrono::seconds>(sinceEpoch);
    const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(sinceEpoch - seconds).count();
    const std::time_t secondsSinceEpoch = seconds.count();
    std::tm utc{};
    gmtime_r(&secondsSinceEpoch, &utc);
    char text[40];
    const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(text + length, sizeof text - length, ".%03dZ", static_cast<int>(milliseconds));
    return text;
}

std::string_view generationOutcomeName(GenerationOutcome outcome) {
    switch (outcome) {
    case GenerationOutcome::Cancelled:
        return "cancelled";
    case GenerationOutcome::Error:
        return "error";
    case GenerationOutcome::Ok:
        break;
    }
    return "ok";
}

GenerationRecord generationRecordOf(const GenerationRequest& request) {
    GenerationRecord record;
    record.promptHash = promptHash(request.prompts);
    for (std::size_t i = 0; i < request.prompts.size(); ++i)
        record.seeds.push_back(request.seed + i);
    // Explicit sigmas run one step per sigma, a final 0 being the end and no step (FlowMatchEuler::fromSigmas).
    if (request.sigmas.empty())
        record.steps = request.steps;
    else
        record.steps = static_cast<int>(request.sigmas.size()) - (request.sigmas.back() == 0.0 ? 1 : 0);
    record.width = request.width;
    record.height = request.height;
    record.batch = static_cast<int>(request.prompts.size());
    record.guidance = request.guidance;
    record.precision = precisionName(request.precision);
    return record;
}

GenerationRecord generationRecordOf(const GenerationResult& result) {
    constexpr double kMiB = 1024.0 * 1024.0;
    auto record = generationRecordOf(result.request);
    record.seeds.clear();
    for (const auto& image : result.images)
        record.seeds.push_back(image.seed);
    record.device = result.deviceName;
    record.timings = result.timings;
    record.peakAllocatedMb = static_cast<double>(result.memory.peakAllocatedBytes) / kMiB;
    record.peakReservedMb = static_cast<double>(result.memory.peakReservedBytes) / kMiB;
    record.warnings = result.warnings;
    return record;
}

nlohmann::json toJson(const GenerationRecord& record) {
    const auto& timings = record.timings;
    return {{"time", record.time},
            {"prompt_hash", record.promptHash},
            {"seeds", record.seeds},
            {"steps", record.steps},
            {"width", record.width},
            {"height", record.height},
            {"batch", record.batch},
            {"guidance", record.guidance},
            {"plan", record.plan},
            {"plan_details", record.planDetails},
            {"precision", record.precision},
            {"device", record.device},
            {"timings",
             {{"text_encoder_ms", timings.textEncoderMs},
              {"step_ms", timings.stepMs},
              {"denoise_ms", timings.denoiseMs},
              {"vae_decode_ms", timings.vaeDecodeMs},
              {"total_ms", timings.totalMs}}},
            {"peak_allocated_mb", record.peakAllocatedMb},
            {"peak_reserved_mb", record.peakReservedMb},
            {"warnings", record.warnings},
            {"outcome", std::string(generationOutcomeName(record.outcome))},
            {"error", record.error}};
}

// Set by the first failed write; later ones stay quiet (a full disk would otherwise warn once per generation).
struct GenerationLog::WriteFailures {
    std::filesystem::path file;
    std::atomic<bool> reported{false};

    void report(const std::string& reason) {
        if (reported.exchange(true))
            return;
        auto logger = spdlog::get("engine");
        (logger ? logger : spdlog::default_logger())
            ->warn("Cannot write to the generation log {}: {}. Generations go on, but are not logged; further "
                   "failures are not reported.",
                   file.string(), reason);
    }
};

GenerationLog::GenerationLog(std::filesystem::path file, std::size_t maxBytes, std::size_t maxFiles)
    : m_path(std::move(file))
    , m_failures(std::make_shared<WriteFailures>()) {
    if (maxBytes == 0 || maxFiles == 0)
        throw std::invalid_argument("The generation log needs room for at least one file of at least one byte (got " +
                                    std::to_string(maxFiles) + " files of " + std::to_string(maxBytes) + " bytes).");
    m_failures->file = m_path;
    auto sink = openRotatingFile(m_path, maxBytes, maxFiles);
    // The record is the whole line: no time or level prefix, and "\n" on every platform (JSON Lines).
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v", spdlog::pattern_time_type::utc, "\n"));
    // Not registered with spdlog: two logs (tests, two data folders) must not collide on a name.
    m_logger = std::make_shared<spdlog::logger>("generation-log", std::move(sink));
    m_logger->set_level(spdlog::level::info);
    m_logger->flush_on(spdlog::level::info);
    m_logger->set_error_handler([failures = m_failures](const std::string& reason) { failures->report(reason); });
}

GenerationLog::~GenerationLog() = default;
GenerationLog::GenerationLog(GenerationLog&&) noexcept = default;
GenerationLog& GenerationLog::operator=(GenerationLog&&) noexcept = default;

void GenerationLog::append(const GenerationRecord& record) {
    try {
        auto json = toJson(record);
        if (record.time.empty())
            json["time"] = utcTimestamp(std::chrono::system_clock::now());
        // Error messages can quote file names that are not UTF-8: replace such bytes rather than lose the record.
        const auto line = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        m_logger->info(std::string_view(line));
    } catch (const std::exception& failure) {
        m_failures->report(failure.what());
    }
}

} // namespace zimage::runtime
