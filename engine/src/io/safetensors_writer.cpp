#include "io/safetensors_writer.h"

#include "io/atomic_file.h"
#include "io/io_error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <set>
#include <span>

namespace zimage::io {
namespace {

constexpr std::uint64_t kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

// The header text (already padded) and the tensors in the order their bytes follow it.
struct Layout {
    std::string header;
    std::vector<const TensorToWrite*> order;
};

std::uint64_t expectedBytes(const TensorToWrite& tensor, const std::filesystem::path& file) {
    std::uint64_t numel = 1;
    bool empty = false;
    for (const auto dimension : tensor.shape) {
        if (dimension < 0)
            throw IoError(file, tensor.name, "shape " + shapeText(tensor.shape) + " has a negative dimension");
        const auto value = static_cast<std::uint64_t>(dimension);
        if (value == 0) {
            empty = true;
            continue;
        }
        if (numel > kInt64Max / value)
            throw IoError(file, tensor.name, "shape " + shapeText(tensor.shape) + " has too many elements");
        numel *= value;
    }
    return empty ? 0 : numel * dtypeSize(tensor.dtype);
}

void checkTensors(const std::vector<TensorToWrite>& tensors, const std::filesystem::path& file) {
    std::set<std::string_view> names;
    for (const auto& tensor : tensors) {
        if (tensor.name == "__metadata__")
            throw IoError(file, tensor.name, "this name is reserved for the header's metadata");
        if (!names.insert(tensor.name).second)
            throw IoError(file, tensor.name, "appears twice in the tensors to write");
        const auto needed = expectedBytes(tensor, file);
        if (tensor.data.size() != needed)
            throw IoError(file, tensor.name,
                          "data holds " + std::to_string(tensor.data.size()) + " bytes but shape " +
                              shapeText(tensor.shape) + " of " + std::string(dtypeName(tensor.dtype)) + " needs " +
                              std::to_string(needed));
    }
}

// Matches the reference writer (safetensors' Rust `prepare`): data ordered by element size, largest first, then by
// name, so every tensor starts aligned to its element size; the header lists metadata first, then the tensors in
// data order, as compact JSON padded with spaces to a multiple of 8 bytes.
Layout layoutFor(const std::vector<TensorToWrite>& tensors, const std::map<std::string, std::string>& metadata,
                 const std::filesystem::path& file) {
    checkTensors(tensors, file);
    Layout layout;
    for (const auto& tensor : tensors)
        layout.order.push_back(&tensor);
    std::stable_sort(layout.order.begin(), layout.order.end(), [](const TensorToWrite* a, const TensorToWrite* b) {
        const auto sizeA = dtypeSize(a->dtype), sizeB = dtypeSize(b->dtype);
        return sizeA != sizeB ? sizeA > sizeB : a->name < b->name;
    });

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto* tensor : layout.order) {
        const auto end = offset + tensor->data.size();
        header[tensor->name] = {{"dtype", std::string(dtypeName(tensor->dtype))},
                                {"shape", tensor->shape},
                                {"data_offsets", {offset, end}}};
        offset = end;
    }
    try {
        layout.header = header.dump();
    } catch (const nlohmann::json::type_error& error) {
        throw IoError(file, std::string("a tensor name or metadata string is not valid UTF-8: ") + error.what());
    }
    layout.header.append((8 - layout.header.size() % 8) % 8, ' ');
    return layout;
}

std::array<std::byte, 8> lengthPrefix(std::uint64_t length) {
    std::array<std::byte, 8> bytes{};
    for (std::size_t i = 0; i < 8; ++i)
        bytes[i] = static_cast<std::byte>((length >> (8 * i)) & 0xFF);
    return bytes;
}

std::span<const std::byte> asBytes(const std::string& text) {
    return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

} // namespace

void writeSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    const auto layout = layoutFor(tensors, metadata, path);
    AtomicFile file(path);
    file.write(lengthPrefix(layout.header.size()));
    file.write(asBytes(layout.header));
    for (const auto* tensor : layout.order)
        file.write(tensor->data);
    file.commit();
}

std::vector<std::byte> serializeSafetensors(const std::vector<TensorToWrite>& tensors,
                                            const std::map<std::string, std::string>& metadata) {
    const auto layout = layoutFor(tensors, metadata, {});
    std::size_t total = 8 + layout.header.size();
    for (const auto* tensor : layout.order)
        total += tensor->data.size();
    std::vector<std::byte> bytes(total);
    auto* out = bytes.data();
    const auto append = [&out](std::span<const std::byte> part) {
        if (!part.empty())
            std::memcpy(out, part.data(), part.size());
        out += part.size();
    };
    append(lengthPrefix(layout.header.size()));
    append(asBytes(layout.header));
    for (const auto* tensor : layout.order)
        append(tensor->data);
    return bytes;
}

} // namespace zimage::io
