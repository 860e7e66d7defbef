#include "io/atomic_file.h"

#include "io/io_error.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

namespace zimage::io {
namespace {

std::string errnoText() {
    return std::error_code(errno, std::generic_category()).message();
}

} // namespace

AtomicFile::AtomicFile(const std::filesystem::path& target)
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

AtomicFile::~AtomicFile() {
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed)
        ::unlink(m_path.c_str());
}

void AtomicFile::write(std::span<const std::byte> bytes) {
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
void AtomicFile::commit() {
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

void AtomicFile::fail(const std::string& what) const {
    throw IoError(m_target, what + ": " + errnoText());
}

// Makes the rename itself durable. Best effort: some filesystems cannot fsync a folder, and the data is
// already safe under the final name either way.
void AtomicFile::syncFolder() const {
    const auto folder = m_target.has_parent_path() ? m_target.parent_path() : std::filesystem::path(".");
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)::fsync(fd);
    ::close(fd);
}

} // namespace zimage::io
