#pragma once
// What a correct checkpoint of each part contains, derived from its config: every tensor name (diffusers /
// transformers spelling) and shape, in the reference modules' registration order. Used to check a checkpoint before
// anything is loaded (one message listing every problem), to infer the config of ComfyUI files that have no
// config.json, and to build full-size random checkpoints for benchmarks.

#include "io/model_config.h"
#include "io/tensor_collection.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zimage::io {

struct ExpectedTensor {
    std::string name;
    std::vector<std::int64_t> shape;

    bool operator==(const ExpectedTensor&) const = default;
};

// diffusers ZImageTransformer2DModel.
std::vector<ExpectedTensor> expectedTransformerTensors(const TransformerConfig& config);
// diffusers AutoencoderKL (encoder and decoder).
std::vector<ExpectedTensor> expectedVaeTensors(const VaeConfig& config);
// transformers Qwen3 as stored by Qwen3ForCausalLM: "model."-prefixed, lm_head.weight only when not tied. The last
// layer and model.norm are listed although the engine never runs them: they are in every file.
std::vector<ExpectedTensor> expectedTextEncoderTensors(const TextEncoderConfig& config);

// `base` corrected by the shapes of diffusers-named tensors (the DiT may still hold fused attention.qkv tensors, see
// renameComfyTransformer). Values the tensors do not reveal (eps, RoPE, scaling factors) stay as in `base`; a tensor
// that is missing or oddly shaped is skipped, so that checkTensors() can report it against the inferred config.
TransformerConfig inferTransformerConfig(const TensorCollection& tensors, TransformerConfig base = {});
VaeConfig inferVaeConfig(const TensorCollection& tensors, VaeConfig base = {});
TextEncoderConfig inferTextEncoderConfig(const TensorCollection& tensors, TextEncoderConfig base = {});

// Throws one IoError (file: the collection's source) listing every missing, unexpected and wrongly shaped tensor (up
// to kMaxListedPerKind of each, then "and N more"), and what the files look like when they are not this part at all
// ("this looks like an SDXL UNet, not the Z-Image DiT"). `partName`: "transformer", "vae" or "text encoder".
void checkTensors(const TensorCollection& tensors, const std::vector<ExpectedTensor>& expected,
                  std::string_view partName);
inline constexpr std::size_t kMaxListedPerKind = 20;

// What a set of tensor names looks like ("the Z-Image DiT (ComfyUI names)", "an SDXL UNet", "a CLIP text encoder"),
// or an empty string when it is not recognised.
std::string describeCheckpoint(const TensorCollection& tensors);

// "[3840, 64]"
std::string formatShape(const std::vector<std::int64_t>& shape);

} // namespace zimage::io
