#pragma once
// Command-line parsing for zimage-cli: each command declares its options; anything undeclared, a missing value or
// a malformed number is a UsageError (exit code 2) that says what to write instead.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zimage::cli {

class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;       // without the leading "--"
    bool takesValue = true; // false: a flag
    bool repeatable = false;
};

class Arguments {
public:
    // Parses argv[first..argc) against `specs`; positional arguments are collected in order.
    Arguments(std::string command, const std::vector<OptionSpec>& specs, int argc, char** argv, int first);

    bool has(std::string_view name) const;
    bool flag(std::string_view name) const { return has(name); }
    std::optional<std::string> value(std::string_view name) const;
    std::string required(std::string_view name) const;
    std::vector<std::string> values(std::string_view name) const;
    const std::vector<std::string>& positional() const { return m_positional; }

    // Typed values with range checks; the message names the option and the accepted range.
    std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max) const;
    std::optional<std::uint64_t> unsignedInteger(std::string_view name) const;
    std::optional<double> number(std::string_view name, double min, double max) const;

private:
    std::string m_command;
    std::map<std::string, std::vector<std::string>, std::less<>> m_values;
    std::vector<std::string> m_positional;
};

} // namespace zimage::cli
