#pragma once
// The one error type the engine's public API lets out. Internal code may throw other exceptions; the API boundary
// converts them (never lets c10::Error or std::bad_alloc escape).

#include <stdexcept>
#include <string>
#include <string_view>

namespace zimage {

enum class ErrorCode {
    InvalidInput, // the request or an argument is wrong: the message says what to change
    ModelFiles,   // the model folder or a checkpoint file is missing, damaged or of the wrong model
    OutOfMemory,  // the device ran out of memory even after the cheaper plan
    Cancelled,    // the caller cancelled
    Device,       // the device is unavailable or failed (no CUDA, driver error)
    Io,           // an output could not be written (permissions, disk full)
    Internal,     // a bug: please report it
};

std::string_view errorCodeName(ErrorCode code);

class EngineError : public std::runtime_error {
public:
    EngineError(ErrorCode code, std::string message, std::string hint = {});

    ErrorCode code() const noexcept { return m_code; }
    // What the user can do about it ("Download the model or point --model at ..."); may be empty.
    const std::string& hint() const noexcept { return m_hint; }

private:
    ErrorCode m_code;
    std::string m_hint;
};

} // namespace zimage
