#pragma once
// Writing safetensors files (tests, saved latents). Atomic: written to a temporary file in the same folder, flushed,
// then renamed over the target, so a crash never leaves a half-written file under the final name.

#include "io/dtype.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace zimage::io {

struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::byte> data; // row-major, exactly numel * dtypeSize bytes
};

// Throws IoError when a tensor's data size does not match its shape, names repeat, or the file cannot be written.
void writeSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The bytes writeSafetensors would write (header + data), for tests that build malformed variants in memory.
std::vector<std::byte> serializeSafetensors(const std::vector<TensorToWrite>& tensors,
                                            const std::map<std::string, std::string>& metadata = {});

} // namespace zimage::io
