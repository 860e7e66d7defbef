// NVML through dlopen. The few types and functions used are declared here from NVIDIA's nvml.h (not installed on
// build machines): every function returns nvmlReturn_t, 0 meaning success; a device is an opaque handle.

#include "runtime/nvml.h"

#include <dlfcn.h>

#include <mutex>
#include <string>
#include <type_traits>

namespace zimage::runtime {
namespace {

using NvmlReturn = int; // nvmlReturn_t
constexpr NvmlReturn kNvmlSuccess = 0;
using NvmlDevice = struct NvmlDeviceOpaque*; // nvmlDevice_t

struct NvmlMemoryV1 { // nvmlMemory_t: bytes
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};

std::string dlerrorText() {
    const char* text = dlerror();
    return text ? text : "unknown error";
}

} // namespace

struct NvmlLibrary::Functions {
    NvmlReturn (*init)();
    NvmlReturn (*shutdown)();
    NvmlReturn (*handleByPciBusId)(const char* pciBusId, NvmlDevice* device);
    NvmlReturn (*handleByIndex)(unsigned int index, NvmlDevice* device);
    NvmlReturn (*memoryInfo)(NvmlDevice device, NvmlMemoryV1* memory);
};

NvmlLibrary::NvmlLibrary(const std::string& file) {
    m_library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!m_library) {
        m_problem = "cannot load " + file + ": " + dlerrorText();
        return;
    }
    auto functions = std::make_unique<Functions>();
    const auto bind = [&](auto& function, const char* name) {
        function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(m_library, name));
        if (!function && m_problem.empty())
            m_problem = file + " has no " + name + ": it is not NVML, or too old an NVML";
    };
    bind(functions->init, "nvmlInit_v2");
    bind(functions->shutdown, "nvmlShutdown");
    bind(functions->handleByPciBusId, "nvmlDeviceGetHandleByPciBusId_v2");
    bind(functions->handleByIndex, "nvmlDeviceGetHandleByIndex_v2");
    bind(functions->memoryInfo, "nvmlDeviceGetMemoryInfo");
    if (m_problem.empty()) {
        if (const auto status = functions->init(); status != kNvmlSuccess)
            m_problem = "nvmlInit_v2 failed with NVML error " + std::to_string(status) + " (is the driver loaded?)";
    }
    if (!m_problem.empty()) {
        dlclose(m_library);
        m_library = nullptr;
        return;
    }
    m_functions = std::move(functions);
}

NvmlLibrary::~NvmlLibrary() {
    if (m_functions)
        m_functions->shutdown();
    if (m_library)
        dlclose(m_library);
}

std::optional<NvmlMemory> NvmlLibrary::memory(std::string_view pciBusId, int fallbackIndex) const {
    if (!m_functions)
        return std::nullopt;
    NvmlDevice device = nullptr;
    NvmlReturn found = kNvmlSuccess;
    if (!pciBusId.empty())
        found = m_functions->handleByPciBusId(std::string(pciBusId).c_str(), &device);
    else if (fallbackIndex >= 0)
        found = m_functions->handleByIndex(static_cast<unsigned int>(fallbackIndex), &device);
    else
        return std::nullopt;
    NvmlMemoryV1 memory{};
    if (found != kNvmlSuccess || m_functions->memoryInfo(device, &memory) != kNvmlSuccess)
        return std::nullopt;
    return NvmlMemory{memory.total, memory.free, memory.used};
}

std::optional<NvmlMemory> queryNvmlMemory(std::string_view pciBusId, int fallbackIndex) {
    // Loaded once and never unloaded: a readout thread may still be polling while the process exits, and
    // nvmlShutdown under it would pull the library away.
    static std::once_flag loaded;
    static NvmlLibrary* library = nullptr;
    std::call_once(loaded, [] { library = new NvmlLibrary(); });
    return library->memory(pciBusId, fallbackIndex);
}

} // namespace zimage::runtime
