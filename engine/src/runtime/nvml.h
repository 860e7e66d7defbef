#pragma once
// Whole-device memory from NVML, the NVIDIA driver's management library (what nvidia-smi shows). It is loaded with
// dlopen at first use and never linked: the driver installs it, so a build machine may lack it, and a machine
// without an NVIDIA driver must still run. Torch-free; POSIX (dlopen).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace zimage::runtime {

struct NvmlMemory {
    std::uint64_t totalBytes = 0;
    std::uint64_t freeBytes = 0;
    std::uint64_t usedBytes = 0; // all processes, and the driver's reserved memory
};

// One loaded copy of the library, initialised (nvmlInit_v2) for this object's lifetime. Never throws: a missing
// library, a file that is no library, a library without the NVML functions or a failing nvmlInit leave it
// unavailable, with problem() saying why.
class NvmlLibrary {
public:
    static constexpr const char* kDefaultFile = "libnvidia-ml.so.1";

    // `file`: a name the dynamic loader searches for, or a path (tests name other files).
    explicit NvmlLibrary(const std::string& file = kDefaultFile);
    ~NvmlLibrary();
    NvmlLibrary(const NvmlLibrary&) = delete;
    NvmlLibrary& operator=(const NvmlLibrary&) = delete;

    bool available() const { return m_problem.empty(); }
    const std::string& problem() const { return m_problem; }

    // The device with this PCI bus id ("0000:3B:00.0", as cudaDeviceGetPCIBusId writes it), or, when the id is
    // empty, the device at `fallbackIndex` in NVML's order (by bus id, which need not be CUDA's: CUDA numbers the
    // fastest first and CUDA_VISIBLE_DEVICES renumbers). nullopt when unavailable or NVML reports an error.
    // Thread-safe (NVML is).
    std::optional<NvmlMemory> memory(std::string_view pciBusId, int fallbackIndex) const;

private:
    struct Functions;

    void* m_library = nullptr;
    std::unique_ptr<const Functions> m_functions; // set only when available
    std::string m_problem;
};

// The process-wide library (NvmlLibrary::kDefaultFile), loaded once at the first call from any thread and kept to
// the end of the process. nullopt where NVML is missing or fails.
std::optional<NvmlMemory> queryNvmlMemory(std::string_view pciBusId, int fallbackIndex);

} // namespace zimage::runtime
