#pragma once
// Renaming checkpoints of other layouts to the diffusers / transformers names the engine's modules use
// (REFERENCE.md "Checkpoint layouts to accept"). Every renamed tensor stays a zero-copy view of the stored one:
// ComfyUI's fused attention.qkv becomes three row slices, LDM's 1x1-conv attention weights become [C, C] reshapes.
// Names a mapping does not recognise are kept as they are, so that checkTensors() reports them as unexpected.

#include "io/model_config.h"
#include "io/tensor_collection.h"

#include <optional>
#include <string>
#include <string_view>

namespace zimage::io {

enum class TransformerLayout {
    Diffusers, // all_x_embedder.2-1, attention.to_q/to_k/to_v, attention.to_out.0, attention.norm_q
    Comfy,     // the original Z-Image names ComfyUI uses: x_embedder, fused attention.qkv, attention.out, q_norm
    Unknown,   // neither: not a Z-Image DiT (checkTensors says what it looks like)
};

enum class VaeLayout {
    Diffusers, // encoder.down_blocks.0.resnets.0, decoder.up_blocks.0, mid_block.attentions.0.to_q
    Ldm,       // encoder.down.0.block.0, decoder.up.3.block.0, mid.attn_1.q (Flux ae.safetensors)
    Unknown,
};

enum class TextEncoderLayout {
    Transformers, // the Hugging Face shard names: model.embed_tokens, model.layers.N, model.norm
    Unprefixed,   // the same without the "model." prefix (some single-file exports)
    Unknown,
};

std::string_view layoutName(TransformerLayout layout); // "diffusers", "comfyui", "unknown"
std::string_view layoutName(VaeLayout layout);         // "diffusers", "ldm", "unknown"
std::string_view layoutName(TextEncoderLayout layout); // "transformers", "unprefixed", "unknown"

TransformerLayout detectTransformerLayout(const TensorCollection& tensors);
VaeLayout detectVaeLayout(const TensorCollection& tensors);
TextEncoderLayout detectTextEncoderLayout(const TensorCollection& tensors);

// --- DiT ---

// One ComfyUI DiT name in diffusers spelling, without splitting: "model.diffusion_model.layers.0.attention.out.weight"
// -> "layers.0.attention.to_out.0.weight"; the fused "...attention.qkv.weight" keeps its (unprefixed) name.
std::string comfyToDiffusersTransformerName(std::string_view comfyName);
// Every tensor renamed as above; fused qkv tensors are left whole (the split needs the head counts, which a ComfyUI
// file without config.json only reveals through these very tensors: inferTransformerConfig reads them).
TensorCollection renameComfyTransformer(const TensorCollection& comfy);
// Replaces each "<block>.attention.qkv.weight" (rows concat(q, k, v)) with to_q/to_k/to_v row slices of
// numHeads * headDim, numKvHeads * headDim and numKvHeads * headDim rows. A fused tensor whose row count does not
// match the config is left whole, so that the check reports it with its shape.
TensorCollection splitFusedQkv(const TensorCollection& tensors, const TransformerConfig& config);
// renameComfyTransformer + splitFusedQkv.
TensorCollection mapComfyTransformer(const TensorCollection& comfy, const TransformerConfig& config);

// --- VAE ---

// One LDM VAE name in diffusers spelling; nullopt when the name is not part of the LDM AutoencoderKL.
// `numLevels` is the number of resolution levels (4 in Z-Image): LDM numbers the decoder's up blocks from the
// highest resolution (decoder.up.3 runs first), diffusers in execution order (up_blocks.0 runs first).
std::optional<std::string> ldmToDiffusersVaeName(std::string_view ldmName, int numLevels = 4);
// Every tensor renamed; the mid-block attention's 1x1-conv weights [C, C, 1, 1] become linear weights [C, C].
// The level count comes from the highest decoder.up.N in the file. A "first_stage_model." or "vae." prefix (VAEs
// inside all-in-one checkpoints) is dropped first.
TensorCollection mapLdmVae(const TensorCollection& ldm);

// --- text encoder ---

// "layers.0.mlp.up_proj.weight" -> "model.layers.0.mlp.up_proj.weight"; "model.*" and "lm_head.*" unchanged.
std::string normalizeTextEncoderName(std::string_view name);
TensorCollection normalizeTextEncoder(const TensorCollection& tensors);

// --- all parts: detect, then map (unknown layouts are returned unchanged for the check to report) ---

TensorCollection toDiffusersTransformer(const TensorCollection& tensors, const TransformerConfig& config);
TensorCollection toDiffusersVae(const TensorCollection& tensors);

// A copy holding the tensors whose names `keep` accepts (TensorCollection has no erase).
template <typename Predicate>
TensorCollection filteredCollection(const TensorCollection& tensors, Predicate keep) {
    TensorCollection result;
    result.setSource(tensors.source());
    for (const auto& [name, ref] : tensors)
        if (keep(name))
            result.add(name, ref);
    return result;
}

} // namespace zimage::io
