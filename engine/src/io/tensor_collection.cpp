#include "io/tensor_collection.h"

#include "io/io_error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <system_error>

namespace zimage::io {
namespace {

// Real index files are ~100 KB (the 6B DiT's lists ~500 names); anything far larger is not an index.
constexpr std::uintmax_t kMaxIndexBytes = 64ull * 1024 * 1024;
constexpr std::string_view kIndexSuffix = ".safetensors.index.json";
constexpr std::string_view kSafetensorsSuffix = ".safetensors";

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

std::filesystem::path filePath(const TensorRef& ref) {
    return ref.file ? ref.file->path() : std::filesystem::path();
}

// The product of `shape`, or nullopt for a negative dimension or a product past int64.
std::optional<std::int64_t> checkedNumel(const std::vector<std::int64_t>& shape) {
    std::int64_t product = 1;
    bool empty = false;
    for (const auto dimension : shape) {
        if (dimension < 0)
            return std::nullopt;
        if (dimension == 0) {
            empty = true;
            continue;
        }
        if (product > std::numeric_limits<std::int64_t>::max() / dimension)
            return std::nullopt;
        product *= dimension;
    }
    return empty ? 0 : product;
}

bool endsWith(const std::string& text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string readIndexText(const std::filesystem::path& indexPath) {
    std::error_code error;
    const auto size = std::filesystem::file_size(indexPath, error);
    if (error)
        throw IoError(indexPath, "cannot read: " + error.message());
    if (size > kMaxIndexBytes)
        throw IoError(indexPath, "is " + std::to_string(size) + " bytes, too large for a checkpoint index");
    std::ifstream stream(indexPath, std::ios::binary);
    if (!stream)
        throw IoError(indexPath, "cannot open");
    std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
    if (stream.bad())
        throw IoError(indexPath, "cannot read");
    return text;
}

// The index's "weight_map": tensor name -> shard file name, with every shard name checked to stay in the folder.
std::map<std::string, std::string> readWeightMap(const std::filesystem::path& indexPath) {
    nlohmann::json index;
    try {
        index = nlohmann::json::parse(readIndexText(indexPath));
    } catch (const nlohmann::json::parse_error& error) {
        throw IoError(indexPath, std::string("is not valid JSON: ") + error.what());
    }
    if (!index.is_object())
        throw IoError(indexPath, "is not a JSON object");
    const auto weightMap = index.find("weight_map");
    if (weightMap == index.end() || !weightMap->is_object())
        throw IoError(indexPath, "has no \"weight_map\" object");

    std::map<std::string, std::string> result;
    for (const auto& [name, value] : weightMap->items()) {
        if (!value.is_string())
            throw IoError(indexPath, name, "its shard in \"weight_map\" is not a string");
        const auto& shard = value.get_ref<const std::string&>();
        const std::filesystem::path shardPath(shard);
        // A shard must be a file beside the index (or below it): an index must not make us open arbitrary files.
        const bool escapes = shardPath.has_root_path() || std::any_of(shardPath.begin(), shardPath.end(),
                                                                      [](const auto& part) { return part == ".."; });
        if (shard.empty() || escapes)
            throw IoError(indexPath, name, "shard '" + shard + "' is not a file in the index's folder");
        result.emplace(name, shard);
    }
    return result;
}

} // namespace

std::int64_t TensorRef::numel() const {
    std::int64_t product = 1;
    for (const auto dimension : shape)
        product *= dimension;
    return product;
}

std::string TensorRef::describe() const {
    return (file ? file->path().string() : std::string("<no file>")) + ": tensor '" + storedName + "'";
}

TensorRef sliceRows(const TensorRef& ref, std::int64_t begin, std::int64_t count) {
    const auto fail = [&](const std::string& problem) { throw IoError(filePath(ref), ref.storedName, problem); };
    if (ref.shape.empty())
        fail("cannot take rows of a tensor without dimensions");
    const std::int64_t rows = ref.shape[0];
    if (begin < 0 || count < 0 || begin > rows || count > rows - begin)
        fail("cannot take " + std::to_string(count) + " rows from row " + std::to_string(begin) + " of shape " +
             shapeText(ref.shape));
    std::vector<std::int64_t> rowShape(ref.shape.begin() + 1, ref.shape.end());
    const auto rowNumel = checkedNumel(rowShape);
    const auto byteSize = ref.byteEnd - ref.byteBegin;
    if (!rowNumel || ref.byteBegin > ref.byteEnd ||
        byteSize != static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(*rowNumel) * dtypeSize(ref.dtype))
        fail("its byte range does not match shape " + shapeText(ref.shape));
    const auto rowBytes = static_cast<std::uint64_t>(*rowNumel) * dtypeSize(ref.dtype);

    TensorRef slice = ref;
    slice.shape[0] = count;
    slice.byteBegin = ref.byteBegin + static_cast<std::uint64_t>(begin) * rowBytes;
    slice.byteEnd = slice.byteBegin + static_cast<std::uint64_t>(count) * rowBytes;
    return slice;
}

TensorRef reshaped(const TensorRef& ref, std::vector<std::int64_t> shape) {
    const auto numel = checkedNumel(shape);
    if (!numel || *numel != ref.numel())
        throw IoError(filePath(ref), ref.storedName,
                      "cannot view shape " + shapeText(ref.shape) + " as " + shapeText(shape));
    TensorRef view = ref;
    view.shape = std::move(shape);
    return view;
}

TensorCollection TensorCollection::fromFile(const std::filesystem::path& safetensorsPath) {
    const auto file = SafetensorsFile::open(safetensorsPath);
    TensorCollection collection;
    collection.setSource(safetensorsPath);
    for (const auto& tensor : file->tensors())
        collection.add(tensor.name,
                       TensorRef{file, tensor.name, tensor.dtype, tensor.shape, tensor.dataBegin, tensor.dataEnd});
    return collection;
}

TensorCollection TensorCollection::fromIndex(const std::filesystem::path& indexJsonPath) {
    const auto weightMap = readWeightMap(indexJsonPath);
    std::map<std::string, std::vector<std::string>> namesByShard;
    for (const auto& [name, shard] : weightMap)
        namesByShard[shard].push_back(name);

    TensorCollection collection;
    collection.setSource(indexJsonPath);
    const auto folder = indexJsonPath.parent_path();
    for (const auto& [shard, names] : namesByShard) {
        const auto shardPath = folder / shard;
        std::error_code error;
        if (!std::filesystem::exists(shardPath, error))
            throw IoError(
                indexJsonPath,
                "shard '" + shard + "' is missing (it should hold tensor '" + names.front() + "'" +
                    (names.size() > 1 ? " and " + std::to_string(names.size() - 1) + " more" : std::string()) + ")");
        const auto file = SafetensorsFile::open(shardPath);
        std::vector<std::string> absent;
        for (const auto& name : names) {
            if (const auto* tensor = file->find(name))
                collection.add(name,
                               TensorRef{file, name, tensor->dtype, tensor->shape, tensor->dataBegin, tensor->dataEnd});
            else
                absent.push_back(name);
        }
        if (!absent.empty())
            throw IoError(
                indexJsonPath, absent.front(),
                "listed in the index under shard '" + shard + "' but not stored there" +
                    (absent.size() > 1 ? " (nor are " + std::to_string(absent.size() - 1) + " more)" : std::string()));
    }
    return collection;
}

TensorCollection TensorCollection::fromPath(const std::filesystem::path& path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status))
        throw IoError(path, "does not exist");
    if (!std::filesystem::is_directory(status))
        return endsWith(path.filename().string(), ".index.json") ? fromIndex(path) : fromFile(path);

    std::vector<std::filesystem::path> indexes, files;
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
        if (!entry.is_regular_file(error))
            continue;
        const auto name = entry.path().filename().string();
        if (endsWith(name, kIndexSuffix))
            indexes.push_back(entry.path());
        else if (endsWith(name, kSafetensorsSuffix))
            files.push_back(entry.path());
    }
    if (error)
        throw IoError(path, "cannot list the folder: " + error.message());
    std::sort(indexes.begin(), indexes.end());
    std::sort(files.begin(), files.end());
    const auto names = [](const std::vector<std::filesystem::path>& paths) {
        std::string text;
        for (const auto& p : paths)
            text += (text.empty() ? "" : ", ") + p.filename().string();
        return text;
    };
    if (indexes.size() == 1)
        return fromIndex(indexes.front());
    if (indexes.size() > 1)
        throw IoError(path, "holds several sharded checkpoints (" + names(indexes) + "); name one");
    if (files.size() == 1)
        return fromFile(files.front());
    if (files.empty())
        throw IoError(path, "holds no .safetensors file");
    throw IoError(path, "holds several .safetensors files (" + names(files) + ") and no index; name one");
}

void TensorCollection::add(std::string name, TensorRef ref) {
    m_tensors.insert_or_assign(std::move(name), std::move(ref));
}

const TensorRef* TensorCollection::find(std::string_view name) const {
    const auto it = m_tensors.find(name);
    return it == m_tensors.end() ? nullptr : &it->second;
}

const TensorRef& TensorCollection::at(std::string_view name) const {
    if (const auto* ref = find(name))
        return *ref;
    throw IoError(m_source, std::string(name), "not found in this checkpoint");
}

std::vector<std::filesystem::path> TensorCollection::files() const {
    std::set<std::filesystem::path> unique;
    for (const auto& [name, ref] : m_tensors)
        if (ref.file)
            unique.insert(ref.file->path());
    return {unique.begin(), unique.end()};
}

} // namespace zimage::io
