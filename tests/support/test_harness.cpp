#include "test_harness.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <vector>

namespace zimage::test {
namespace {

struct Registered {
    const char* name;
    TestFunction function;
};

std::vector<Registered>& registry() {
    static std::vector<Registered> tests;
    return tests;
}

int g_failuresInCase = 0;
std::vector<std::filesystem::path> g_tempDirs;

} // namespace

bool registerTest(const char* name, TestFunction function) {
    registry().push_back({name, function});
    return true;
}

void recordFailure(const char* file, int line, const std::string& message) {
    ++g_failuresInCase;
    std::cerr << file << ":" << line << ": FAILED: " << message << "\n";
}

std::filesystem::path fixtureDir() {
    if (const char* fromEnv = std::getenv("ZIMAGE_FIXTURES"); fromEnv && *fromEnv)
        return fromEnv;
    return ZIMAGE_FIXTURE_DIR;
}

std::filesystem::path tempDir(std::string_view name) {
    const auto base = std::filesystem::path(ZIMAGE_TEST_TEMP_DIR);
    auto dir = base / std::string(name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    g_tempDirs.push_back(dir);
    return dir;
}

} // namespace zimage::test

// Runs every registered case (or only those named on the command line) and prints "N passed, N failed".
int main(int argc, char** argv) {
    using namespace zimage::test;
    std::vector<std::string> only(argv + 1, argv + argc);
    int passed = 0, failed = 0, skipped = 0;
    for (const auto& test : registry()) {
        if (!only.empty() && std::find(only.begin(), only.end(), test.name) == only.end())
            continue;
        g_failuresInCase = 0;
        try {
            test.function();
        } catch (const RequireFailed&) {
        } catch (const Skipped& skip) {
            std::cout << "[ SKIP ] " << test.name << ": " << skip.reason << "\n";
            ++skipped;
            continue;
        } catch (const std::exception& error) {
            recordFailure(test.name, 0, std::string("unexpected exception: ") + error.what());
        }
        std::cout << (g_failuresInCase == 0 ? "[  OK  ] " : "[ FAIL ] ") << test.name << "\n";
        (g_failuresInCase == 0 ? passed : failed)++;
    }
    std::cout << passed << " passed, " << failed << " failed";
    if (skipped)
        std::cout << ", " << skipped << " skipped";
    std::cout << "\n";
    if (failed == 0)
        for (const auto& dir : g_tempDirs)
            std::filesystem::remove_all(dir);
    if (failed > 0)
        return 1;
    return (passed == 0 && skipped > 0) ? 77 : 0;
}
