// The generation log: JSON Lines records with stable keys, the prompt hash (FNV-1a, checked against the reference
// test vectors of the FNV authors), rotation as spdlog's rotating sink defines it (a write that would pass maxBytes
// starts a new file), clear errors for unwritable paths, one warning for failed writes, whole lines under
// concurrent appends, and the XDG data folder.

#include "runtime/generation_log.h"
#include "test_harness.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

using namespace zimage;
using namespace zimage::runtime;
namespace fs = std::filesystem;

namespace {

std::vector<nlohmann::json> readRecords(const fs::path& file) {
    std::ifstream in(file);
    std::vector<nlohmann::json> records;
    std::string line;
    while (std::getline(in, line))
        records.push_back(nlohmann::json::parse(line)); // throws, failing the test, on a broken line
    return records;
}

std::string readText(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

GenerationRecord sampleRecord(std::uint64_t seed) {
    GenerationRecord record;
    record.time = "2025-06-01T12:00:00.000Z";
    record.promptHash = promptHash("a lighthouse at dusk");
    record.seeds = {seed};
    record.steps = 8;
    record.width = 1024;
    record.height = 768;
    record.batch = 1;
    record.guidance = 0.0;
    record.plan = "resident";
    record.planDetails = {{"text_encoder", "gpu"}, {"vae_tiles", 0}};
    record.precision = "bf16";
    record.device = "cuda:0 (NVIDIA H200)";
    record.timings.textEncoderMs = 12.5;
    record.timings.stepMs = {30.0, 31.0};
    record.timings.denoiseMs = 61.0;
    record.timings.vaeDecodeMs = 40.0;
    record.timings.totalMs = 120.0;
    record.peakAllocatedMb = 20480.0;
    record.peakReservedMb = 22000.0;
    record.warnings = {"The prompt was longer than 512 tokens; the rest was ignored."};
    return record;
}

// Sets or unsets an environment variable for one scope.
class ScopedEnvironment {
public:
    ScopedEnvironment(const char* name, const char* value)
        : m_name(name) {
        if (const char* old = std::getenv(name))
            m_old = old;
        if (value)
            setenv(name, value, 1);
        else
            unsetenv(name);
    }
    ~ScopedEnvironment() {
        if (m_old)
            setenv(m_name, m_old->c_str(), 1);
        else
            unsetenv(m_name);
    }

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

} // namespace

TEST_CASE(promptHashIsFnv1a64) {
    // Test vectors from the FNV reference code (Noll's test suite): "", "a", "foobar".
    CHECK_EQ(promptHash(""), "cbf29ce484222325");
    CHECK_EQ(promptHash("a"), "af63dc4c8601ec8c");
    CHECK_EQ(promptHash("foobar"), "85944171f73967e8");
    CHECK_EQ(promptHash("a red fox in the snow"), promptHash("a red fox in the snow"));
    CHECK(promptHash("a red fox in the snow") != promptHash("a red fox in the snow."));
    CHECK_EQ(promptHash(std::vector<std::string>{"foobar"}), promptHash("foobar"));
    CHECK(promptHash(std::vector<std::string>{"ab", "c"}) != promptHash(std::vector<std::string>{"a", "bc"}));
    const auto chinese = promptHash("一只在雪地里的红狐狸");
    CHECK(std::regex_match(chinese, std::regex("[0-9a-f]{16}")));
}

TEST_CASE(timestampsAreUtcWithMilliseconds) {
    using namespace std::chrono;
    // 1700000000 s after the epoch is 2023-11-14 22:13:20 UTC (Python's datetime.utcfromtimestamp agrees).
    CHECK_EQ(utcTimestamp(system_clock::time_point(milliseconds(1234))), "1970-01-01T00:00:01.234Z");
    CHECK_EQ(utcTimestamp(system_clock::time_point(milliseconds(1700000000500LL))), "2023-11-14T22:13:20.500Z");
}

TEST_CASE(everyLineIsOneRecordWithTheDocumentedKeys) {
    const auto file = zimage::test::tempDir("log-lines") / "nested" / "generations.jsonl";
    GenerationLog log(file);
    CHECK_EQ(log.path(), file);
    auto ok = sampleRecord(42);
    log.append(ok);
    auto cancelled = sampleRecord(43);
    cancelled.time.clear(); // the log fills it in
    cancelled.outcome = GenerationOutcome::Cancelled;
    log.append(cancelled);
    auto failed = sampleRecord(44);
    failed.outcome = GenerationOutcome::Error;
    failed.error = "CUDA out of memory";
    log.append(failed);

    const auto records = readRecords(file);
    REQUIRE_EQ(records.size(), 3u);
    const std::set<std::string> keys = {"time",
                                        "prompt_hash",
                                        "seeds",
                                        "steps",
                                        "width",
                                        "height",
                                        "batch",
                                        "guidance",
                                        "plan",
                                        "plan_details",
                                        "precision",
                                        "device",
                                        "timings",
                                        "warnings",
                                        "outcome",
                                        "error",
                                        "peak_allocated_mb",
                                        "peak_reserved_mb"};
    for (const auto& record : records) {
        std::set<std::string> found;
        for (const auto& item : record.items())
            found.insert(item.key());
        CHECK(found == keys);
    }
    const auto& first = records[0];
    CHECK_EQ(first["time"].get<std::string>(), ok.time);
    CHECK_EQ(first["prompt_hash"].get<std::string>(), ok.promptHash);
    CHECK_EQ(first["seeds"][0].get<std::uint64_t>(), 42u);
    CHECK_EQ(first["height"].get<int>(), 768);
    CHECK_EQ(first["plan_details"]["text_encoder"].get<std::string>(), "gpu");
    CHECK_EQ(first["timings"]["step_ms"].size(), 2u);
    CHECK_EQ(first["timings"]["total_ms"].get<double>(), 120.0);
    CHECK_EQ(first["peak_reserved_mb"].get<double>(), 22000.0);
    CHECK_EQ(first["warnings"].size(), 1u);
    CHECK_EQ(first["outcome"].get<std::string>(), "ok");
    CHECK_EQ(first["error"].get<std::string>(), "");
    CHECK(std::regex_match(records[1]["time"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    CHECK_EQ(records[1]["outcome"].get<std::string>(), "cancelled");
    CHECK_EQ(records[2]["outcome"].get<std::string>(), "error");
    CHECK_EQ(records[2]["error"].get<std::string>(), "CUDA out of memory");
}

TEST_CASE(theLogKeepsTheHashNotThePrompt) {
    const auto file = zimage::test::tempDir("log-privacy") / "generations.jsonl";
    GenerationRequest request;
    request.prompts = {"a red fox in the snow"};
    request.seed = 7;
    GenerationLog(file).append(generationRecordOf(request));
    const auto text = readText(file);
    CHECK(text.find("fox") == std::string::npos);
    CHECK(text.find(promptHash("a red fox in the snow")) != std::string::npos);
}

TEST_CASE(recordsFromRequestsAndResults) {
    GenerationRequest request;
    request.prompts = {"one", "two", "three"};
    request.seed = 100;
    request.width = 512;
    request.precision = Precision::Bf16;
    auto record = generationRecordOf(request);
    CHECK(record.seeds == std::vector<std::uint64_t>({100, 101, 102})); // request.h: image i uses seed + i
    CHECK_EQ(record.batch, 3);
    CHECK_EQ(record.steps, 8);
    CHECK_EQ(record.width, 512);
    CHECK_EQ(record.precision, "bf16");
    CHECK_EQ(record.promptHash, promptHash(request.prompts));
    // An explicit schedule: one step per sigma, a final 0 being the end (FlowMatchEuler::fromSigmas).
    request.sigmas = {1.0, 0.6, 0.3, 0.0};
    CHECK_EQ(generationRecordOf(request).steps, 3);
    request.sigmas = {1.0, 0.6, 0.3};
    CHECK_EQ(generationRecordOf(request).steps, 3);

    GenerationResult result;
    result.request = request;
    result.images.resize(2);
    result.images[0].seed = 5;
    result.images[1].seed = 6;
    result.deviceName = "cpu";
    result.memory.peakAllocatedBytes = 3 * 1024 * 1024;
    result.warnings = {"w"};
    result.timings.totalMs = 9.0;
    record = generationRecordOf(result);
    CHECK(record.seeds == std::vector<std::uint64_t>({5, 6}));
    CHECK_EQ(record.device, "cpu");
    CHECK_EQ(record.peakAllocatedMb, 3.0);
    CHECK_EQ(record.timings.totalMs, 9.0);
    CHECK_EQ(record.warnings.size(), 1u);
}

TEST_CASE(rotationKeepsMaxFilesOfAtMostMaxBytes) {
    const auto folder = zimage::test::tempDir("log-rotation");
    const auto file = folder / "generations.jsonl";
    constexpr std::size_t kMaxBytes = 2000;
    constexpr std::size_t kMaxFiles = 3;
    constexpr int kRecords = 40;
    // Seeds 1000..1039 all have four digits, so every line has the same length.
    const auto lineBytes = toJson(sampleRecord(1000)).dump().size() + 1;
    const auto perFile = kMaxBytes / lineBytes; // spdlog starts a new file when the next line would not fit
    REQUIRE(perFile >= 1 && perFile * kMaxFiles < kRecords);
    {
        GenerationLog log(file, kMaxBytes, kMaxFiles);
        for (int i = 0; i < kRecords; ++i)
            log.append(sampleRecord(1000 + i));
    }
    CHECK(fs::exists(folder / "generations.1.jsonl"));
    CHECK(fs::exists(folder / "generations.2.jsonl"));
    CHECK(!fs::exists(folder / "generations.3.jsonl"));
    // Oldest first: the seeds must run on without a gap and end with the last one written.
    std::vector<std::uint64_t> seeds;
    for (const auto* name : {"generations.2.jsonl", "generations.1.jsonl", "generations.jsonl"}) {
        CHECK(fs::file_size(folder / name) <= kMaxBytes);
        for (const auto& record : readRecords(folder / name))
            seeds.push_back(record["seeds"][0].get<std::uint64_t>());
    }
    const auto inCurrent = (kRecords - 1) % perFile + 1;
    CHECK_EQ(readRecords(file).size(), inCurrent);
    REQUIRE_EQ(seeds.size(), 2 * perFile + inCurrent);
    for (std::size_t i = 1; i < seeds.size(); ++i)
        CHECK_EQ(seeds[i], seeds[i - 1] + 1);
    CHECK_EQ(seeds.back(), 1000u + kRecords - 1);
}

TEST_CASE(aSecondLogAppendsToTheSameFile) {
    const auto file = zimage::test::tempDir("log-reopen") / "generations.jsonl";
    GenerationLog(file).append(sampleRecord(1));
    GenerationLog(file).append(sampleRecord(2));
    const auto records = readRecords(file);
    REQUIRE_EQ(records.size(), 2u);
    CHECK_EQ(records[1]["seeds"][0].get<int>(), 2);
}

TEST_CASE(anUnwritablePathIsAClearError) {
    const auto folder = zimage::test::tempDir("log-unwritable");
    // A folder cannot be made under a regular file, whoever runs the test (root too).
    const auto aFile = folder / "not-a-folder";
    std::ofstream(aFile) << "x";
    const auto underAFile = aFile / "logs" / "generations.jsonl";
    CHECK_THROWS_WITH(GenerationLog{underAFile}, std::runtime_error, underAFile.string());
    CHECK_THROWS_WITH(GenerationLog{underAFile}, std::runtime_error, "Choose another log path");
    // A folder where the file should be: fopen fails with "Is a directory", root or not.
    CHECK_THROWS_WITH(GenerationLog{folder}, std::runtime_error, folder.string());
    CHECK_THROWS_WITH(GenerationLog(folder / "g.jsonl", 1000, 0), std::invalid_argument, "at least one file");
    // Permissions stop only an ordinary user: root writes into a 0500 folder anyway.
    if (geteuid() != 0) {
        const auto readOnly = folder / "read-only";
        fs::create_directory(readOnly);
        chmod(readOnly.c_str(), 0500);
        CHECK_THROWS_WITH(GenerationLog{readOnly / "generations.jsonl"}, std::runtime_error, readOnly.string());
        chmod(readOnly.c_str(), 0700);
    }
}

TEST_CASE(aFailedWriteWarnsOnceAndNeverThrows) {
    // /dev/full accepts the open and fails every flush with ENOSPC: a full disk.
    if (!fs::exists("/dev/full"))
        SKIP("no /dev/full on this system");
    std::ostringstream warnings;
    const auto previous = spdlog::default_logger();
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(warnings)));
    {
        GenerationLog log("/dev/full");
        for (int i = 0; i < 3; ++i)
            log.append(sampleRecord(static_cast<std::uint64_t>(i)));
    }
    spdlog::set_default_logger(previous);
    const auto text = warnings.str();
    const std::string warning = "Cannot write to the generation log /dev/full";
    const auto first = text.find(warning);
    CHECK(first != std::string::npos);
    CHECK(text.find(warning, first + 1) == std::string::npos);
}

TEST_CASE(concurrentAppendsGiveWholeLines) {
    const auto file = zimage::test::tempDir("log-threads") / "generations.jsonl";
    constexpr int kPerThread = 300;
    {
        GenerationLog log(file);
        std::vector<std::thread> writers;
        for (int t = 0; t < 2; ++t)
            writers.emplace_back([&log, t] {
                for (int i = 0; i < kPerThread; ++i)
                    log.append(sampleRecord(static_cast<std::uint64_t>(t * kPerThread + i)));
            });
        for (auto& writer : writers)
            writer.join();
    }
    const auto records = readRecords(file); // every line parses as one object
    REQUIRE_EQ(records.size(), 2u * kPerThread);
    std::set<std::uint64_t> seeds;
    for (const auto& record : records)
        seeds.insert(record["seeds"][0].get<std::uint64_t>());
    CHECK_EQ(seeds.size(), 2u * kPerThread);
}

TEST_CASE(theDataFolderFollowsXdg) {
    {
        ScopedEnvironment dataHome("XDG_DATA_HOME", "/srv/data");
        CHECK_EQ(defaultDataFolder(), fs::path("/srv/data/zimage-studio"));
        CHECK_EQ(defaultGenerationLogPath(), fs::path("/srv/data/zimage-studio/generations.jsonl"));
    }
    ScopedEnvironment home("HOME", "/home/someone");
    {
        ScopedEnvironment dataHome("XDG_DATA_HOME", nullptr);
        CHECK_EQ(defaultDataFolder(), fs::path("/home/someone/.local/share/zimage-studio"));
    }
    // The XDG specification says to ignore a relative XDG_DATA_HOME.
    ScopedEnvironment relative("XDG_DATA_HOME", "relative/data");
    CHECK_EQ(defaultDataFolder(), fs::path("/home/someone/.local/share/zimage-studio"));
}
