#include "runtime/placement.h"

#include "runtime/device_support.h"

#include <zimage/errors.h>

#include <ATen/Context.h>
#include <torch/cuda.h>

namespace zimage::runtime {

torch::ScalarType torchType(Precision precision) {
    switch (precision) {
    case Precision::Bf16:
        return torch::kBFloat16;
    case Precision::Fp16:
        return torch::kFloat16;
    default:
        return torch::kFloat32;
    }
}

Placement resolvePlacement(DeviceChoice device, Precision precision, int cudaDevice) {
    const bool haveCuda = torch::cuda::is_available();
    if (device == DeviceChoice::Cuda && !haveCuda)
        throw EngineError(ErrorCode::Device, "CUDA was asked for, but no CUDA device is usable",
                          "Check the NVIDIA driver (nvidia-smi) or choose the CPU device.");
    const bool useCuda = device == DeviceChoice::Cuda || (device == DeviceChoice::Auto && haveCuda);
    if (useCuda && (cudaDevice < 0 || cudaDevice >= static_cast<int>(torch::cuda::device_count())))
        throw EngineError(ErrorCode::Device, "CUDA device " + std::to_string(cudaDevice) + " does not exist",
                          "This machine has " + std::to_string(torch::cuda::device_count()) + " CUDA device(s).");
    Placement placement;
    placement.device =
        useCuda ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(cudaDevice)) : torch::Device(torch::kCPU);
    placement.deviceName = useCuda ? "cuda:" + std::to_string(cudaDevice) : "cpu";
    // Auto: bf16 where the GPU computes it natively (Ampere on), fp16 on older GPUs (the DiT clamps its fp16
    // activations, the NaN guard catches the rest), fp32 on the CPU.
    if (precision == Precision::Auto)
        placement.precision =
            useCuda ? (deviceSupportsBf16(cudaDevice) ? Precision::Bf16 : Precision::Fp16) : Precision::Fp32;
    else
        placement.precision = precision;
    if (!useCuda && placement.precision == Precision::Fp16)
        throw EngineError(ErrorCode::InvalidInput, "fp16 is not supported on the CPU",
                          "Use fp32 (or bf16) on the CPU.");
    placement.dtype = torchType(placement.precision);
    return placement;
}

void applyMathMode(const Placement& placement) {
    if (!placement.device.is_cuda())
        return;
    const bool exactFloat32 = placement.precision == Precision::Fp32;
    at::globalContext().setAllowTF32CuDNN(!exactFloat32);
    if (exactFloat32)
        at::globalContext().setAllowTF32CuBLAS(false);
}

} // namespace zimage::runtime
