#pragma once
// Reading safetensors files: an 8-byte little-endian header length, a JSON header describing each tensor
// (dtype, shape, data_offsets relative to the data section) plus optional "__metadata__", then the raw data.
// The file is memory-mapped; tensors are handed out as byte spans into the mapping, nothing is copied.
// No LibTorch here: this is the part fuzzed and run under ASan/UBSan.

#include "io/dtype.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zimage::io {

// Headers larger than this are refused before parsing (the real 6B DiT shards have ~100 KB headers).
inline constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t dataBegin = 0; // byte offsets relative to the start of the data section, [begin, end)
    std::uint64_t dataEnd = 0;

    std::int64_t numel() const;
    std::uint64_t byteSize() const { return dataEnd - dataBegin; }
};

struct SafetensorsHeader {
    std::vector<TensorInfo> tensors; // in data order (sorted by dataBegin)
    std::map<std::string, std::string> metadata;
    std::uint64_t dataOffset = 0; // where the data section starts in the file: 8 + header length
};

// Validates and parses the start of a file: the length prefix, the JSON (size limit, valid UTF-8, object), each
// entry's dtype, shape (non-negative, no overflow) vs byte range, ranges inside the file and non-overlapping.
// `fileStart` holds at least the first min(fileSize, 8 + header length) bytes. Throws IoError naming `fileName`.
SafetensorsHeader parseSafetensorsHeader(std::span<const std::byte> fileStart, std::uint64_t fileSize,
                                         const std::filesystem::path& fileName);

// A read-only memory mapping of a whole file.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const { return {m_data, m_size}; }

private:
    const std::byte* m_data = nullptr;
    std::size_t m_size = 0;
};

class SafetensorsFile {
public:
    // Maps and validates the file. Throws IoError (missing, unreadable, malformed).
    static std::shared_ptr<const SafetensorsFile> open(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return m_path; }
    const std::vector<TensorInfo>& tensors() const { return m_header.tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_header.metadata; }
    const TensorInfo* find(std::string_view name) const;
    const TensorInfo& at(std::string_view name) const; // throws IoError naming the file and tensor

    // The tensor's bytes inside the mapping; valid while this object lives.
    std::span<const std::byte> bytes(const TensorInfo& tensor) const;
    // A byte range of the data section (used for row slices of fused tensors).
    std::span<const std::byte> dataRange(std::uint64_t begin, std::uint64_t end) const;

    SafetensorsFile(std::filesystem::path path, std::unique_ptr<MappedFile> mapping, SafetensorsHeader header);

private:
    std::filesystem::path m_path;
    std::unique_ptr<MappedFile> m_mapping;
    SafetensorsHeader m_header;
    std::map<std::string, std::size_t, std::less<>> m_byName;
};

} // namespace zimage::io
