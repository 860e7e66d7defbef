#pragma once
// A small test harness for the engine and CLI tests. They must also build on the GPU machine, which has no Qt,
// so they cannot use Qt Test; the GUI tests do. Each test file is its own executable (one per CTest test).
//
//   TEST_CASE(parsesHeader) { CHECK_EQ(parse(x).size(), 3u); }
//
// CHECK* records a failure and continues; REQUIRE* stops the test case. SKIP("why") skips it; an executable
// whose cases were all skipped exits with 77, which CTest reports as "Not Run (skipped)".

#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zimage::test {

using TestFunction = void (*)();
bool registerTest(const char* name, TestFunction function);

void recordFailure(const char* file, int line, const std::string& message);

struct RequireFailed {};
struct Skipped {
    std::string reason;
};

// The zimage-tiny fixture: $ZIMAGE_FIXTURES when set (the GPU machine carries a copy), else the configured path.
std::filesystem::path fixtureDir();
// A fresh, empty folder for one test case's files; removed when the executable exits successfully.
std::filesystem::path tempDir(std::string_view name);

template <typename T>
std::string describe(const T& value) {
    if constexpr (requires(std::ostream & os) { os << value; }) {
        std::ostringstream out;
        out << value;
        return out.str();
    } else {
        return "<value>";
    }
}

} // namespace zimage::test

#define ZT_CONCAT_INNER(a, b) a##b
#define ZT_CONCAT(a, b) ZT_CONCAT_INNER(a, b)

#define TEST_CASE(name)                                                                                                \
    static void name();                                                                                                \
    [[maybe_unused]] static const bool ZT_CONCAT(name, _registered) = ::zimage::test::registerTest(#name, &name);      \
    static void name()

#define ZT_FAIL(message, stop)                                                                                         \
    do {                                                                                                               \
        ::zimage::test::recordFailure(__FILE__, __LINE__, (message));                                                  \
        if (stop)                                                                                                      \
            throw ::zimage::test::RequireFailed{};                                                                     \
    } while (false)

#define ZT_CHECK(cond, stop)                                                                                           \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            ZT_FAIL(std::string("expected: ") + #cond, stop);                                                          \
    } while (false)

#define ZT_CHECK_EQ(a, b, stop)                                                                                        \
    do {                                                                                                               \
        /* copies: a reference would dangle for CHECK_EQ(f().front(), x) */                                            \
        const auto zt_a = (a);                                                                                         \
        const auto zt_b = (b);                                                                                         \
        if (!(zt_a == zt_b))                                                                                           \
            ZT_FAIL(std::string(#a " == " #b ": ") + ::zimage::test::describe(zt_a) +                                  \
                        " != " + ::zimage::test::describe(zt_b),                                                       \
                    stop);                                                                                             \
    } while (false)

#define ZT_CHECK_NEAR(a, b, tolerance, stop)                                                                           \
    do {                                                                                                               \
        const double zt_a = static_cast<double>(a);                                                                    \
        const double zt_b = static_cast<double>(b);                                                                    \
        if (!(std::fabs(zt_a - zt_b) <= (tolerance)))                                                                  \
            ZT_FAIL(std::string(#a " ~= " #b ": ") + std::to_string(zt_a) + " vs " + std::to_string(zt_b) +            \
                        " (tolerance " + std::to_string(tolerance) + ")",                                              \
                    stop);                                                                                             \
    } while (false)

// Checks that `expr` throws an exception of type `type` whose what() contains `substring`.
#define ZT_CHECK_THROWS_WITH(expr, type, substring, stop)                                                              \
    do {                                                                                                               \
        bool zt_thrown = false;                                                                                        \
        try {                                                                                                          \
            (void)(expr);                                                                                              \
        } catch (const type& zt_error) {                                                                               \
            zt_thrown = true;                                                                                          \
            if (std::string(zt_error.what()).find(substring) == std::string::npos)                                     \
                ZT_FAIL(std::string(#expr " threw \"") + zt_error.what() + "\", expected it to mention \"" +           \
                            (substring) + "\"",                                                                        \
                        stop);                                                                                         \
        }                                                                                                              \
        if (!zt_thrown)                                                                                                \
            ZT_FAIL(std::string(#expr " did not throw ") + #type, stop);                                               \
    } while (false)

// Debian's LibTorch pulls in glog, whose CHECK* macros abort the process; ours replace them in test files (the torch
// headers come first, from the precompiled header).
#undef CHECK
#undef REQUIRE
#undef CHECK_EQ
#undef REQUIRE_EQ
#undef CHECK_NEAR
#undef FAIL
#define CHECK(cond) ZT_CHECK(cond, false)
#define REQUIRE(cond) ZT_CHECK(cond, true)
#define CHECK_EQ(a, b) ZT_CHECK_EQ(a, b, false)
#define REQUIRE_EQ(a, b) ZT_CHECK_EQ(a, b, true)
#define CHECK_NEAR(a, b, tolerance) ZT_CHECK_NEAR(a, b, tolerance, false)
#define CHECK_THROWS_WITH(expr, type, substring) ZT_CHECK_THROWS_WITH(expr, type, substring, false)
#define FAIL(message) ZT_FAIL(message, true)
#define SKIP(reason)                                                                                                   \
    throw ::zimage::test::Skipped {                                                                                    \
        reason                                                                                                         \
    }
