// libFuzzer target: the input is a whole safetensors file. parseSafetensorsHeader must accept it or throw IoError;
// any other exception escapes and aborts, and ASan/UBSan report memory errors and undefined behaviour.

#include "io/io_error.h"
#include "io/safetensors.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> file(reinterpret_cast<const std::byte*>(data), size);
    try {
        const auto header = zimage::io::parseSafetensorsHeader(file, size, "fuzz.safetensors");
        // What the parser accepted must be safe to use: every range lies inside the input.
        for (const auto& tensor : header.tensors)
            if (tensor.dataBegin > tensor.dataEnd || header.dataOffset + tensor.dataEnd > size)
                __builtin_trap();
    } catch (const zimage::io::IoError&) {
    }
    return 0;
}
