#include "io/name_mapping.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace zimage::io {
namespace {

// Prefixes that wrap a DiT inside ComfyUI / all-in-one checkpoints.
constexpr std::array<std::string_view, 2> kTransformerPrefixes = {"model.diffusion_model.", "diffusion_model."};
constexpr std::array<std::string_view, 2> kVaePrefixes = {"first_stage_model.", "vae."};

constexpr std::string_view kQkvSuffix = "attention.qkv.";

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

template <std::size_t N>
std::string_view stripPrefix(std::string_view name, const std::array<std::string_view, N>& prefixes) {
    for (const auto prefix : prefixes)
        if (startsWith(name, prefix))
            return name.substr(prefix.size());
    return name;
}

void replaceSegment(std::string& name, std::string_view from, std::string_view to) {
    if (const auto at = name.find(from); at != std::string::npos)
        name.replace(at, from.size(), to);
}

std::vector<std::string_view> splitDots(std::string_view name) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto dot = name.find('.', start);
        parts.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos)
            return parts;
        start = dot + 1;
    }
}

std::optional<int> parseIndex(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0)
        return std::nullopt;
    return value;
}

std::string joinFrom(const std::vector<std::string_view>& parts, std::size_t first) {
    std::string result;
    for (std::size_t i = first; i < parts.size(); ++i) {
        if (!result.empty())
            result += '.';
        result += parts[i];
    }
    return result;
}

// The inside of an LDM resnet ("norm1.weight", "nin_shortcut.bias") in diffusers spelling.
std::string resnetTail(const std::vector<std::string_view>& parts, std::size_t first) {
    std::string tail = joinFrom(parts, first);
    if (startsWith(tail, "nin_shortcut."))
        tail.replace(0, std::string_view("nin_shortcut").size(), "conv_shortcut");
    return tail;
}

std::optional<std::string> ldmMidName(const std::vector<std::string_view>& parts) {
    // parts: {encoder|decoder, mid, block_1|block_2|attn_1, ...}
    const std::string side(parts[0]);
    if (parts.size() >= 4 && (parts[2] == "block_1" || parts[2] == "block_2"))
        return side + ".mid_block.resnets." + (parts[2] == "block_1" ? "0." : "1.") + resnetTail(parts, 3);
    if (parts.size() >= 5 && parts[2] == "attn_1") {
        static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kAttention = {{
            {"q", "to_q"},
            {"k", "to_k"},
            {"v", "to_v"},
            {"proj_out", "to_out.0"},
            {"norm", "group_norm"},
        }};
        for (const auto& [ldm, diffusers] : kAttention)
            if (parts[3] == ldm)
                return side + ".mid_block.attentions.0." + std::string(diffusers) + "." + joinFrom(parts, 4);
    }
    return std::nullopt;
}

// encoder.down.{i}.block.{j}.* / encoder.down.{i}.downsample.* and decoder.up.{N}.block.{j}.* / .upsample.*
std::optional<std::string> ldmLevelName(const std::vector<std::string_view>& parts, int numLevels) {
    const bool encoder = parts[0] == "encoder" && parts[1] == "down";
    const bool decoder = parts[0] == "decoder" && parts[1] == "up";
    const auto level = parts.size() >= 5 ? parseIndex(parts[2]) : std::nullopt;
    if ((!encoder && !decoder) || !level || *level >= numLevels)
        return std::nullopt;
    const int block = encoder ? *level : numLevels - 1 - *level;
    std::string name = std::string(parts[0]) + (encoder ? ".down_blocks." : ".up_blocks.") + std::to_string(block);
    if (parts[3] == "block" && parts.size() >= 6 && parseIndex(parts[4]))
        return name + ".resnets." + std::string(parts[4]) + "." + resnetTail(parts, 5);
    if (parts[3] == (encoder ? "downsample" : "upsample"))
        return name + (encoder ? ".downsamplers.0." : ".upsamplers.0.") + joinFrom(parts, 4);
    return std::nullopt;
}

bool isLdmAttentionConv(std::string_view diffusersName, const TensorRef& ref) {
    return contains(diffusersName, ".mid_block.attentions.0.") && ref.shape.size() == 4 && ref.shape[2] == 1 &&
           ref.shape[3] == 1 && diffusersName.ends_with(".weight") && !contains(diffusersName, "group_norm");
}

int ldmLevelCount(const TensorCollection& tensors) {
    int levels = 0;
    for (const auto& [name, ref] : tensors) {
        const auto parts = splitDots(stripPrefix(name, kVaePrefixes));
        if (parts.size() >= 3 && parts[0] == "decoder" && parts[1] == "up")
            if (const auto level = parseIndex(parts[2]))
                levels = std::max(levels, *level + 1);
    }
    return levels > 0 ? levels : 4;
}

} // namespace

std::string_view layoutName(TransformerLayout layout) {
    switch (layout) {
    case TransformerLayout::Diffusers:
        return "diffusers";
    case TransformerLayout::Comfy:
        return "comfyui";
    case TransformerLayout::Unknown:
        break;
    }
    return "unknown";
}

std::string_view layoutName(VaeLayout layout) {
    switch (layout) {
    case VaeLayout::Diffusers:
        return "diffusers";
    case VaeLayout::Ldm:
        return "ldm";
    case VaeLayout::Unknown:
        break;
    }
    return "unknown";
}

std::string_view layoutName(TextEncoderLayout layout) {
    switch (layout) {
    case TextEncoderLayout::Transformers:
        return "transformers";
    case TextEncoderLayout::Unprefixed:
        return "unprefixed";
    case TextEncoderLayout::Unknown:
        break;
    }
    return "unknown";
}

TransformerLayout detectTransformerLayout(const TensorCollection& tensors) {
    bool diffusers = false;
    for (const auto& [stored, ref] : tensors) {
        if (stripPrefix(stored, kTransformerPrefixes).size() != stored.size())
            return TransformerLayout::Comfy;
        const std::string_view name = stored;
        if (startsWith(name, "x_embedder.") || startsWith(name, "final_layer.") || contains(name, ".attention.qkv.") ||
            contains(name, ".attention.out.") || contains(name, ".attention.q_norm."))
            return TransformerLayout::Comfy;
        diffusers = diffusers || startsWith(name, "all_x_embedder.") || contains(name, ".attention.to_q.");
    }
    return diffusers ? TransformerLayout::Diffusers : TransformerLayout::Unknown;
}

VaeLayout detectVaeLayout(const TensorCollection& tensors) {
    bool diffusers = false;
    for (const auto& [stored, ref] : tensors) {
        const auto name = stripPrefix(stored, kVaePrefixes);
        if (startsWith(name, "decoder.up.") || startsWith(name, "encoder.down.") || contains(name, ".mid.block_1.") ||
            startsWith(name, "decoder.norm_out.") || startsWith(name, "encoder.norm_out."))
            return VaeLayout::Ldm;
        diffusers = diffusers || startsWith(name, "decoder.up_blocks.") || startsWith(name, "encoder.down_blocks.") ||
                    startsWith(name, "decoder.conv_norm_out.");
    }
    return diffusers ? VaeLayout::Diffusers : VaeLayout::Unknown;
}

TextEncoderLayout detectTextEncoderLayout(const TensorCollection& tensors) {
    if (tensors.contains("model.embed_tokens.weight"))
        return TextEncoderLayout::Transformers;
    if (tensors.contains("embed_tokens.weight"))
        return TextEncoderLayout::Unprefixed;
    return TextEncoderLayout::Unknown;
}

std::string comfyToDiffusersTransformerName(std::string_view comfyName) {
    const auto name = stripPrefix(comfyName, kTransformerPrefixes);
    // ComfyUI files have no patch size in their names; Z-Image ships only patch 2, frame patch 1.
    if (startsWith(name, "x_embedder."))
        return "all_x_embedder.2-1." + std::string(name.substr(std::string_view("x_embedder.").size()));
    if (startsWith(name, "final_layer."))
        return "all_final_layer.2-1." + std::string(name.substr(std::string_view("final_layer.").size()));
    std::string result(name);
    replaceSegment(result, ".attention.out.", ".attention.to_out.0.");
    replaceSegment(result, ".attention.q_norm.", ".attention.norm_q.");
    replaceSegment(result, ".attention.k_norm.", ".attention.norm_k.");
    return result;
}

TensorCollection renameComfyTransformer(const TensorCollection& comfy) {
    TensorCollection result;
    result.setSource(comfy.source());
    for (const auto& [name, ref] : comfy)
        result.add(comfyToDiffusersTransformerName(name), ref);
    return result;
}

TensorCollection splitFusedQkv(const TensorCollection& tensors, const TransformerConfig& config) {
    const std::int64_t qRows = config.numHeads * config.headDim();
    const std::int64_t kvRows = config.numKvHeads * config.headDim();
    TensorCollection result;
    result.setSource(tensors.source());
    for (const auto& [name, ref] : tensors) {
        const auto at = name.find(kQkvSuffix);
        const bool fits = !ref.shape.empty() && ref.shape[0] == qRows + 2 * kvRows;
        if (at == std::string::npos || !fits) {
            result.add(name, ref);
            continue;
        }
        const std::string block = name.substr(0, at) + "attention.";
        const std::string tail = name.substr(at + kQkvSuffix.size()); // "weight" (or "bias")
        result.add(block + "to_q." + tail, sliceRows(ref, 0, qRows));
        result.add(block + "to_k." + tail, sliceRows(ref, qRows, kvRows));
        result.add(block + "to_v." + tail, sliceRows(ref, qRows + kvRows, kvRows));
    }
    return result;
}

TensorCollection mapComfyTransformer(const TensorCollection& comfy, const TransformerConfig& config) {
    return splitFusedQkv(renameComfyTransformer(comfy), config);
}

std::optional<std::string> ldmToDiffusersVaeName(std::string_view ldmName, int numLevels) {
    const auto parts = splitDots(stripPrefix(ldmName, kVaePrefixes));
    if (parts.size() == 2 && (parts[0] == "quant_conv" || parts[0] == "post_quant_conv"))
        return joinFrom(parts, 0);
    if (parts.size() < 3 || (parts[0] != "encoder" && parts[0] != "decoder"))
        return std::nullopt;
    if (parts.size() == 3 && (parts[1] == "conv_in" || parts[1] == "conv_out"))
        return joinFrom(parts, 0);
    if (parts.size() == 3 && parts[1] == "norm_out")
        return std::string(parts[0]) + ".conv_norm_out." + std::string(parts[2]);
    if (parts[1] == "mid")
        return ldmMidName(parts);
    return ldmLevelName(parts, numLevels);
}

TensorCollection mapLdmVae(const TensorCollection& ldm) {
    const int levels = ldmLevelCount(ldm);
    TensorCollection result;
    result.setSource(ldm.source());
    for (const auto& [name, ref] : ldm) {
        const auto mapped = ldmToDiffusersVaeName(name, levels);
        if (!mapped) {
            result.add(name, ref);
            continue;
        }
        // LDM's attention is 1x1 convolutions; diffusers' is Linear layers over the same [out, in] matrix.
        if (isLdmAttentionConv(*mapped, ref))
            result.add(*mapped, reshaped(ref, {ref.shape[0], ref.shape[1]}));
        else
            result.add(*mapped, ref);
    }
    return result;
}

std::string normalizeTextEncoderName(std::string_view name) {
    if (startsWith(name, "model.") || startsWith(name, "lm_head."))
        return std::string(name);
    return "model." + std::string(name);
}

TensorCollection normalizeTextEncoder(const TensorCollection& tensors) {
    TensorCollection result;
    result.setSource(tensors.source());
    for (const auto& [name, ref] : tensors)
        result.add(normalizeTextEncoderName(name), ref);
    return result;
}

TensorCollection toDiffusersTransformer(const TensorCollection& tensors, const TransformerConfig& config) {
    if (detectTransformerLayout(tensors) == TransformerLayout::Comfy)
        return mapComfyTransformer(tensors, config);
    return tensors;
}

TensorCollection toDiffusersVae(const TensorCollection& tensors) {
    if (detectVaeLayout(tensors) == VaeLayout::Ldm)
        return mapLdmVae(tensors);
    return tensors;
}

} // namespace zimage::io
