#pragma once
// Files that appear whole or not at all: written to a temporary name in the target folder, flushed to disk, then
// renamed over the target (rename is atomic within a file system). A failure removes the temporary file and leaves
// any previous file untouched.

#include <cstdio>
#include <filesystem>
#include <functional>

namespace zimage::output {

// Calls `write` with a FILE* open for binary writing; throws std::runtime_error naming the path and the reason when
// the folder is missing or not writable, or writing, flushing or renaming fails. Exceptions of `write` propagate
// after the temporary file is removed.
void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::FILE*)>& write);

} // namespace zimage::output
