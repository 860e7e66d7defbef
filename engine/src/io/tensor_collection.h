#pragma once
// A model part's tensors by the names the engine's modules use, whatever files and layouts they come from: one
// safetensors file, a sharded checkpoint (*.safetensors.index.json), or a renamed view of another layout (ComfyUI
// DiT names, LDM VAE names). A TensorRef may be a row slice of a stored tensor (ComfyUI's fused qkv) or a reshape
// of it (LDM's 1x1-conv attention weights as linear weights): both stay zero-copy byte ranges of the mapping.

#include "io/dtype.h"
#include "io/safetensors.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zimage::io {

struct TensorRef {
    std::shared_ptr<const SafetensorsFile> file;
    std::string storedName; // the name inside `file` (differs from the collection's name after remapping)
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t byteBegin = 0; // within the file's data section
    std::uint64_t byteEnd = 0;

    std::int64_t numel() const;
    std::span<const std::byte> bytes() const { return file->dataRange(byteBegin, byteEnd); }
    // "shard.safetensors: tensor 'name'" for messages.
    std::string describe() const;
};

// Rows [begin, begin + count) of dim 0 of `ref` (a contiguous byte sub-range). Throws IoError if out of range.
TensorRef sliceRows(const TensorRef& ref, std::int64_t begin, std::int64_t count);
// The same bytes seen with another shape of equal element count. Throws IoError otherwise.
TensorRef reshaped(const TensorRef& ref, std::vector<std::int64_t> shape);

class TensorCollection {
public:
    TensorCollection() = default;

    // Every tensor of one file, under its stored name.
    static TensorCollection fromFile(const std::filesystem::path& safetensorsPath);
    // A sharded checkpoint: reads the index's weight_map, opens each shard once, and checks that every listed
    // tensor is in its shard. A missing shard is an IoError naming the index, the shard and one tensor in it.
    static TensorCollection fromIndex(const std::filesystem::path& indexJsonPath);
    // A .safetensors file, a .safetensors.index.json, or a folder holding exactly one of either kind.
    static TensorCollection fromPath(const std::filesystem::path& path);

    void add(std::string name, TensorRef ref); // replaces an existing entry of that name
    bool contains(std::string_view name) const { return find(name) != nullptr; }
    const TensorRef* find(std::string_view name) const;
    const TensorRef& at(std::string_view name) const; // throws IoError naming the source and the tensor
    std::size_t size() const { return m_tensors.size(); }
    bool empty() const { return m_tensors.empty(); }
    const std::map<std::string, TensorRef, std::less<>>& tensors() const { return m_tensors; }
    auto begin() const { return m_tensors.begin(); }
    auto end() const { return m_tensors.end(); }

    // The files this collection reads (for messages and `inspect`).
    std::vector<std::filesystem::path> files() const;
    // Where it came from, e.g. the index path or the single file; used in error messages.
    const std::filesystem::path& source() const { return m_source; }
    void setSource(std::filesystem::path source) { m_source = std::move(source); }

private:
    std::map<std::string, TensorRef, std::less<>> m_tensors;
    std::filesystem::path m_source;
};

} // namespace zimage::io
