#pragma once
// The LibTorch side of checkpoint reading: TensorRef -> torch::Tensor, and modules filled name-for-name from a
// TensorCollection. Weights go from the mapping straight to the target dtype and device: one read, no staging copy
// beyond what the conversion itself needs.

#include "io/dtype.h"
#include "io/tensor_collection.h"

#include <torch/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace torch::nn {
class Module;
}

namespace zimage::io {

// The torch type that holds `dtype` without loss: U16 -> int32, U32/U64 -> int64 (LibTorch 1.13 has no unsigned
// wider than 8 bits), F8 variants -> float32 (1.13 has no float8).
torch::ScalarType torchTypeFor(DType dtype);
// The inverse for writing: float32 -> F32, ...; throws IoError for types safetensors cannot hold.
DType dtypeForTorch(torch::ScalarType type);

// A CPU tensor sharing the mapped bytes (no copy) when torch has the exact stored type; otherwise a converted copy.
// The returned tensor keeps the file mapped while it lives.
torch::Tensor viewTensor(const TensorRef& ref);
// The tensor converted to `type` on `device`.
torch::Tensor loadTensor(const TensorRef& ref, torch::ScalarType type, const torch::Device& device);

// Copies every parameter and buffer of `module` from `weights` (names as module.named_parameters() spells them),
// converted to `type` on `device`. Throws IoError listing every missing name and every shape mismatch at once.
// Extra tensors in `weights` are ignored here (checking against the config reports them).
void loadModuleWeights(torch::nn::Module& module, const TensorCollection& weights, torch::ScalarType type,
                       const torch::Device& device);
// The same into the tensors' present storage, each keeping its dtype and device (weights already placed for
// streaming: some on the device, some in pinned host memory). Same checks and errors.
void loadModuleWeightsInPlace(torch::nn::Module& module, const TensorCollection& weights);

// Writes CPU copies of the tensors (contiguous, any device) to a safetensors file, atomically.
void writeTensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                  const std::map<std::string, std::string>& metadata = {});

} // namespace zimage::io
