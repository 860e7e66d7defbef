#include "arguments.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace zimage::cli {
namespace {

const OptionSpec* findSpec(const std::vector<OptionSpec>& specs, std::string_view name) {
    const auto it = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
    return it == specs.end() ? nullptr : &*it;
}

} // namespace

Arguments::Arguments(std::string command, const std::vector<OptionSpec>& specs, int argc, char** argv, int first)
    : m_command(std::move(command)) {
    for (int i = first; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg.size() < 3 || arg.substr(0, 2) != "--") {
            m_positional.emplace_back(arg);
            continue;
        }
        std::string_view name = arg.substr(2);
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); eq != std::string_view::npos) {
            inlineValue = std::string(name.substr(eq + 1));
            name = name.substr(0, eq);
        }
        const OptionSpec* spec = findSpec(specs, name);
        if (!spec)
            throw UsageError("unknown option --" + std::string(name) + " for '" + m_command + "'; see 'zimage-cli " +
                             m_command + " --help'");
        auto& slot = m_values[spec->name];
        if (!slot.empty() && !spec->repeatable)
            throw UsageError("--" + spec->name + " is given twice");
        if (!spec->takesValue) {
            if (inlineValue)
                throw UsageError("--" + spec->name + " takes no value");
            slot.emplace_back();
            continue;
        }
        if (inlineValue) {
            slot.push_back(*inlineValue);
        } else if (i + 1 < argc) {
            slot.emplace_back(argv[++i]);
        } else {
            throw UsageError("--" + spec->name + " needs a value");
        }
    }
}

bool Arguments::has(std::string_view name) const {
    return m_values.find(name) != m_values.end();
}

std::optional<std::string> Arguments::value(std::string_view name) const {
    const auto it = m_values.find(name);
    if (it == m_values.end())
        return std::nullopt;
    return it->second.back();
}

std::string Arguments::required(std::string_view name) const {
    auto result = value(name);
    if (!result)
        throw UsageError("'" + m_command + "' needs --" + std::string(name));
    return *result;
}

std::vector<std::string> Arguments::values(std::string_view name) const {
    const auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::int64_t> Arguments::integer(std::string_view name, std::int64_t min, std::int64_t max) const {
    const auto text = value(name);
    if (!text)
        return std::nullopt;
    std::int64_t result = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), result);
    if (error != std::errc() || end != text->data() + text->size() || result < min || result > max)
        throw UsageError("--" + std::string(name) + " must be a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", got '" + *text + "'");
    return result;
}

std::optional<std::uint64_t> Arguments::unsignedInteger(std::string_view name) const {
    const auto text = value(name);
    if (!text)
        return std::nullopt;
    std::uint64_t result = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), result);
    if (error != std::errc() || end != text->data() + text->size())
        throw UsageError("--" + std::string(name) + " must be a whole number from 0 to 18446744073709551615, got '" +
                         *text + "'");
    return result;
}

std::optional<double> Arguments::number(std::string_view name, double min, double max) const {
    const auto text = value(name);
    if (!text)
        return std::nullopt;
    // std::from_chars for double is missing from some of the standard libraries we build with; strtod is fine here.
    char* end = nullptr;
    const double result = std::strtod(text->c_str(), &end);
    if (text->empty() || end != text->c_str() + text->size() || !std::isfinite(result) || result < min || result > max)
        throw UsageError("--" + std::string(name) + " must be a number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", got '" + *text + "'");
    return result;
}

} // namespace zimage::cli
