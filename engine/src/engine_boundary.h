#pragma once
// The engine's error boundary: runs a callable and converts whatever it throws into EngineError, so that c10::Error,
// IoError, TokenizerError or std::bad_alloc never leave the public API.

#include "io/io_error.h"
#include "text/tokenizer.h"

#include <zimage/errors.h>

#include <c10/util/Exception.h>
#include <spdlog/spdlog.h>

#include <new>
#include <stdexcept>
#include <string>

namespace zimage {

// Torch reports allocation failures as c10::Error ("CUDA out of memory", "DefaultCPUAllocator: can't allocate").
bool isOutOfMemoryMessage(const std::string& message);
// Any allocation failure: EngineError(OutOfMemory), a torch out-of-memory error, std::bad_alloc.
bool isOutOfMemory(const std::exception& error);

// `fallback` is the code for errors of no better-known kind (ModelFiles while opening, Internal while generating).
template <typename Function>
auto guardEngineCall(ErrorCode fallback, Function&& function) -> decltype(function()) {
    try {
        return function();
    } catch (const EngineError&) {
        throw;
    } catch (const io::IoError& error) {
        throw EngineError(ErrorCode::ModelFiles, error.what(),
                          "Check that the model download is complete, or download it again.");
    } catch (const text::TokenizerError& error) {
        throw EngineError(fallback == ErrorCode::ModelFiles ? ErrorCode::ModelFiles : ErrorCode::InvalidInput,
                          error.what());
    } catch (const std::bad_alloc&) {
        throw EngineError(ErrorCode::OutOfMemory, "Out of host memory",
                          "Close other programs or use a smaller image size.");
    } catch (const c10::Error& error) {
        const std::string message = error.what_without_backtrace();
        if (isOutOfMemoryMessage(message))
            throw EngineError(ErrorCode::OutOfMemory, message,
                              "Use a smaller image or batch, or lower the VRAM budget so more is streamed.");
        spdlog::error("torch error: {}", error.what());
        throw EngineError(fallback, message);
    } catch (const std::invalid_argument& error) {
        throw EngineError(ErrorCode::InvalidInput, error.what());
    } catch (const std::exception& error) {
        spdlog::error("unexpected error: {}", error.what());
        throw EngineError(fallback, error.what());
    }
}

} // namespace zimage
