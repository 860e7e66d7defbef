#include "io/dtype.h"

#include <array>

namespace zimage::io {
namespace {

struct DTypeEntry {
    DType dtype;
    std::string_view name;
    std::size_t size;
    bool floatingPoint;
};

// Spellings and widths from the safetensors format definition; indexed by the enum's value.
constexpr std::array<DTypeEntry, 15> kDTypes = {{
    {DType::Bool, "BOOL", 1, false},
    {DType::U8, "U8", 1, false},
    {DType::I8, "I8", 1, false},
    {DType::I16, "I16", 2, false},
    {DType::U16, "U16", 2, false},
    {DType::I32, "I32", 4, false},
    {DType::U32, "U32", 4, false},
    {DType::I64, "I64", 8, false},
    {DType::U64, "U64", 8, false},
    {DType::F16, "F16", 2, true},
    {DType::BF16, "BF16", 2, true},
    {DType::F32, "F32", 4, true},
    {DType::F64, "F64", 8, true},
    {DType::F8_E4M3, "F8_E4M3", 1, true},
    {DType::F8_E5M2, "F8_E5M2", 1, true},
}};

constexpr bool tableMatchesEnum() {
    for (std::size_t i = 0; i < kDTypes.size(); ++i)
        if (static_cast<std::size_t>(kDTypes[i].dtype) != i)
            return false;
    return true;
}
static_assert(tableMatchesEnum(), "kDTypes must list the DType values in declaration order");

const DTypeEntry& entry(DType dtype) {
    const auto index = static_cast<std::size_t>(dtype);
    // An out-of-range enum value can only come from a cast bug; answer with BOOL's entry rather than read past.
    return index < kDTypes.size() ? kDTypes[index] : kDTypes[0];
}

} // namespace

std::optional<DType> dtypeFromName(std::string_view name) {
    for (const auto& candidate : kDTypes)
        if (candidate.name == name)
            return candidate.dtype;
    return std::nullopt;
}

std::string_view dtypeName(DType dtype) {
    return entry(dtype).name;
}

std::size_t dtypeSize(DType dtype) {
    return entry(dtype).size;
}

bool isFloatingPoint(DType dtype) {
    return entry(dtype).floatingPoint;
}

} // namespace zimage::io
