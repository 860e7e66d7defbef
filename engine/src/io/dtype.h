#pragma once
// The element types a safetensors file can declare, by their header spelling.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace zimage::io {

enum class DType : std::uint8_t { Bool, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64, F8_E4M3, F8_E5M2 };

// "BF16" -> DType::BF16; nullopt for anything the format does not define.
std::optional<DType> dtypeFromName(std::string_view name);
std::string_view dtypeName(DType dtype);
std::size_t dtypeSize(DType dtype);
bool isFloatingPoint(DType dtype);

} // namespace zimage::io
