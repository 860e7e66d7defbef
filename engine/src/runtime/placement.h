#pragma once
// Where and in which precision the networks run: the policy behind DeviceChoice::Auto and Precision::Auto.

#include <zimage/request.h>

#include <torch/types.h>

#include <string>

namespace zimage::runtime {

struct Placement {
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32; // weights and activations of the DiT and text encoder
    Precision precision = Precision::Fp32;     // the same, as the public enum
    std::string deviceName;                    // "cpu", "cuda:0"
};

// Auto device: CUDA when available, else the CPU. Auto precision: bf16 on CUDA (fp16 before Ampere), fp32 on the CPU
// (bf16 matmuls on CPUs are slow and the goldens are fp32). Throws EngineError(Device) when CUDA is asked for and
// absent, and EngineError(InvalidInput) for fp16 on the CPU.
Placement resolvePlacement(DeviceChoice device, Precision precision, int cudaDevice);

torch::ScalarType torchType(Precision precision);

// Sets the process's CUDA math mode for the placement: fp32 means true float32 (TF32 off for cuDNN and cuBLAS, or
// the fp32 VAE lands ~1e-3 off the reference); other precisions keep torch's defaults. No effect on the CPU.
void applyMathMode(const Placement& placement);

} // namespace zimage::runtime
