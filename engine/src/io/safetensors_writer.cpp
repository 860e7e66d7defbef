#include "io/safetensors_writer.h"

#include "io/io_error.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <set>
#include <span>
#include <system_error>

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

std::string errnoText() {
    return std::error_code(errno, std::generic_category()).message();
}

// A file descriptor for the temporary file that removes the file unless committed.
class TempFile {
public:
    explicit TempFile(const std::filesystem::path& target)
        : m_target(target) {
        static std::atomic<unsigned> counter{0};
        const auto folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
        // A dot-name in the target's folder, so that rename() stays on one filesystem and is atomic.
        for (int attempt = 0; attempt < 100 && m_fd < 0; ++attempt) {
            const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
            m_path = folder / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                               std::to_string(counter++) + "-" + std::to_string(tick % 1000000));
            m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (m_fd < 0 && errno != EEXIST)
                break;
        }
        if (m_fd < 0)
            throw IoError(target, "cannot create a temporary file in " + folder.string() + ": " + errnoText());
    }
    ~TempFile() {
        if (m_fd >= 0)
            ::close(m_fd);
        if (!m_committed)
            ::unlink(m_path.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    void write(std::span<const std::byte> bytes) {
        // write() may write less than asked (and at most ~2 GiB at once); loop until done.
        while (!bytes.empty()) {
            const auto chunk = std::min<std::size_t>(bytes.size(), std::size_t{1} << 30);
            const auto written = ::write(m_fd, bytes.data(), chunk);
            if (written < 0 && errno == EINTR)
                continue;
            if (written <= 0)
                fail("cannot write");
            bytes = bytes.subspan(static_cast<std::size_t>(written));
        }
    }

    // Flushes to disk, then renames over the target: readers see the old file or the whole new one.
    void commit() {
        if (::fsync(m_fd) != 0)
            fail("cannot flush to disk");
        const int fd = m_fd;
        m_fd = -1;
        if (::close(fd) != 0)
            fail("cannot close");
        if (::rename(m_path.c_str(), m_target.c_str()) != 0)
            fail("cannot rename the temporary file over it");
        m_committed = true;
        syncFolder();
    }

private:
    [[noreturn]] void fail(const std::string& what) const { throw IoError(m_target, what + ": " + errnoText()); }

    // Makes the rename itself durable. Best effort: some filesystems cannot fsync a folder, and the data is
    // already safe under the final name either way.
    void syncFolder() const {
        const auto folder = m_target.has_parent_path() ? m_target.parent_path() : std::filesystem::path(".");
        const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return;
        (void)::fsync(fd);
        ::close(fd);
    }

    std::filesystem::path m_target;
    std::filesystem::path m_path;
    int m_fd = -1;
    bool m_committed = false;
};

std::span<const std::byte> asBytes(const std::string& text) {
    return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

} // namespace

void writeSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    const auto layout = layoutFor(tensors, metadata, path);
    TempFile file(path);
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
