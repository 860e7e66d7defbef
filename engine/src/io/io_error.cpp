#include "io/io_error.h"

namespace zimage::io {
namespace {

// "<file>: <problem>"; without a file (a torch type that safetensors cannot hold, say) just the problem.
std::string filePrefix(const std::filesystem::path& file) {
    return file.empty() ? std::string() : file.string() + ": ";
}

} // namespace

IoError::IoError(const std::filesystem::path& file, const std::string& problem)
    : std::runtime_error(filePrefix(file) + problem)
    , m_file(file) {}

IoError::IoError(const std::filesystem::path& file, const std::string& tensor, const std::string& problem)
    : std::runtime_error(filePrefix(file) + "tensor '" + tensor + "': " + problem)
    , m_file(file)
    , m_tensor(tensor) {}

} // namespace zimage::io
