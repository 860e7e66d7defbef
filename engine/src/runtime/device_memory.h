#pragma once
// Memory figures of the device and the host, for results, benchmarks, the planner and the GUI's readout. The CUDA
// part is compiled only where LibTorch has CUDA (the GPU build); elsewhere deviceAvailable is false and the host
// figures are still filled in. zimage::readMemoryStats (memory.h) is readMemory behind the public API.

#include <zimage/memory.h>

namespace zimage::runtime {

// Current figures; peaks since the last resetPeakMemory(). Thread-safe; never throws. The whole-device figures come
// from NVML when the driver has it, else from cudaMemGetInfo (MemoryStats::deviceSource says which).
MemoryStats readMemory(int cudaDevice);
void resetPeakMemory(int cudaDevice);
// Returns cached allocator blocks to the driver (after a job, after an error).
void releaseCachedMemory(int cudaDevice);
// Waits for queued device work (for honest timings).
void synchronizeDevice(int cudaDevice);
bool cudaBuildAvailable();

} // namespace zimage::runtime
