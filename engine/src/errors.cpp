#include <zimage/errors.h>

namespace zimage {

std::string_view errorCodeName(ErrorCode code) {
    switch (code) {
    case ErrorCode::InvalidInput:
        return "invalid input";
    case ErrorCode::ModelFiles:
        return "model files";
    case ErrorCode::OutOfMemory:
        return "out of memory";
    case ErrorCode::Cancelled:
        return "cancelled";
    case ErrorCode::Device:
        return "device";
    case ErrorCode::Io:
        return "input/output";
    case ErrorCode::Internal:
        return "internal";
    }
    return "unknown";
}

EngineError::EngineError(ErrorCode code, std::string message, std::string hint)
    : std::runtime_error(std::move(message))
    , m_code(code)
    , m_hint(std::move(hint)) {}

} // namespace zimage
