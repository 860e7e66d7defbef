#include "output/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace zimage::output {
namespace {

std::string reason(int error) {
    switch (error) {
    case ENOENT:
        return "the folder does not exist";
    case EACCES:
    case EPERM:
        return "permission denied: choose a folder you can write to";
    case ENOSPC:
        return "the disk is full";
    case EROFS:
        return "the file system is read-only";
    default:
        return std::strerror(error);
    }
}

} // namespace

void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::FILE*)>& write) {
    const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::string pattern = (folder / ("." + path.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0)
        throw std::runtime_error("cannot write " + path.string() + ": " + reason(errno));
    const std::filesystem::path temporary = pattern;
    std::FILE* file = ::fdopen(fd, "wb");
    if (!file) {
        const int error = errno;
        ::close(fd);
        std::filesystem::remove(temporary);
        throw std::runtime_error("cannot write " + path.string() + ": " + reason(error));
    }
    try {
        write(file);
        if (std::fflush(file) != 0 || ::fsync(::fileno(file)) != 0)
            throw std::runtime_error("cannot write " + path.string() + ": " + reason(errno));
    } catch (...) {
        std::fclose(file);
        std::filesystem::remove(temporary);
        throw;
    }
    // mkstemp creates 0600; give the file the permissions a normal file would get (umask applies).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(::fileno(file), 0666 & ~mask);
    if (std::fclose(file) != 0) {
        const int error = errno;
        std::filesystem::remove(temporary);
        throw std::runtime_error("cannot write " + path.string() + ": " + reason(error));
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        std::filesystem::remove(temporary);
        throw std::runtime_error("cannot write " + path.string() + ": " + reason(error));
    }
}

} // namespace zimage::output
