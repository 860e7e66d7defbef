#pragma once
// Errors of checkpoint and config reading. The message always names the file, the tensor when there is one, and
// what is wrong, because users see it verbatim ("model.safetensors: tensor 'x': data range [..] past end of file").

#include <filesystem>
#include <stdexcept>
#include <string>

namespace zimage::io {

class IoError : public std::runtime_error {
public:
    IoError(const std::filesystem::path& file, const std::string& problem);
    IoError(const std::filesystem::path& file, const std::string& tensor, const std::string& problem);

    const std::filesystem::path& file() const noexcept { return m_file; }
    const std::string& tensor() const noexcept { return m_tensor; }

private:
    std::filesystem::path m_file;
    std::string m_tensor;
};

} // namespace zimage::io
