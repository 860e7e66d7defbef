#pragma once
// Files that appear whole or not at all (checkpoints, latents, images): written under a temporary dot-name in the
// target's folder, flushed to disk, then renamed over the target, so readers see the old file or the complete new
// one. A file that is not committed is removed when the object goes away.

#include <cstddef>
#include <filesystem>
#include <span>

namespace zimage::io {

class AtomicFile {
public:
    // Throws IoError naming the target when no temporary file can be created (missing folder, no permission).
    explicit AtomicFile(const std::filesystem::path& target);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::span<const std::byte> bytes);
    // Flushes to disk and renames over the target. Throws IoError (disk full, ...).
    void commit();

private:
    [[noreturn]] void fail(const std::string& what) const;
    void syncFolder() const;

    std::filesystem::path m_target;
    std::filesystem::path m_path;
    int m_fd = -1;
    bool m_committed = false;
};

} // namespace zimage::io
