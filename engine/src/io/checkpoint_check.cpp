// checkTensors() and describeCheckpoint() of expected_tensors.h: turning a mismatch between a checkpoint and the
// tensors its config calls for into one message a user can act on.

#include "io/expected_tensors.h"
#include "io/io_error.h"

#include <array>
#include <functional>
#include <optional>
#include <set>
#include <string>

namespace zimage::io {
namespace {

// Wrappers around a model inside all-in-one or ComfyUI files; dropped before recognising what a file holds.
constexpr std::array<std::string_view, 5> kWrapperPrefixes = {"model.diffusion_model.", "diffusion_model.",
                                                              "first_stage_model.", "vae.", "cond_stage_model."};

std::string_view unwrapped(std::string_view name) {
    for (const auto prefix : kWrapperPrefixes)
        if (name.starts_with(prefix))
            return name.substr(prefix.size());
    return name;
}

struct Guess {
    std::string_view part; // "transformer", "vae", "text encoder", "checkpoint", or empty when unknown
    bool zimageFamily = false;
    std::string description;
};

class NameIndex {
public:
    explicit NameIndex(const TensorCollection& tensors)
        : m_tensors(tensors) {}

    bool any(const std::function<bool(std::string_view)>& predicate) const {
        for (const auto& [name, ref] : m_tensors)
            if (predicate(unwrapped(name)))
                return true;
        return false;
    }
    bool anyContains(std::string_view part) const {
        return any([part](std::string_view name) { return name.find(part) != std::string_view::npos; });
    }
    bool anyStartsWith(std::string_view prefix) const {
        return any([prefix](std::string_view name) { return name.starts_with(prefix); });
    }
    const TensorRef* find(std::string_view unwrappedName) const {
        for (const auto& [name, ref] : m_tensors)
            if (unwrapped(name) == unwrappedName)
                return &ref;
        return nullptr;
    }
    std::int64_t dim(std::string_view unwrappedName, std::size_t axis) const {
        const TensorRef* ref = find(unwrappedName);
        return ref && ref->shape.size() > axis ? ref->shape[axis] : 0;
    }

private:
    const TensorCollection& m_tensors;
};

std::optional<Guess> guessDenoiser(const NameIndex& names) {
    if (names.find("x_pad_token") || names.find("cap_embedder.1.weight") || names.anyStartsWith("noise_refiner.")) {
        const bool comfy = names.anyStartsWith("x_embedder.") || names.anyContains(".attention.qkv.");
        std::string text = "the Z-Image DiT" + std::string(comfy ? " in ComfyUI names" : "");
        if (const std::int64_t dim = names.dim("x_pad_token", 1))
            text += " (dim " + std::to_string(dim) + ")";
        return Guess{"transformer", true, text};
    }
    if (names.anyStartsWith("double_blocks.") || names.anyStartsWith("single_transformer_blocks."))
        return Guess{"transformer", false, "a Flux transformer"};
    if (names.anyStartsWith("joint_blocks.") || names.anyStartsWith("transformer_blocks.0.attn.add_q_proj"))
        return Guess{"transformer", false, "an SD3 / MMDiT transformer"};
    if (names.anyStartsWith("input_blocks.") || names.anyStartsWith("time_embedding.linear_1")) {
        const bool sdxl = names.anyStartsWith("label_emb.") || names.anyStartsWith("add_embedding.");
        return Guess{"transformer", false, sdxl ? "an SDXL UNet" : "a Stable Diffusion UNet"};
    }
    return std::nullopt;
}

std::optional<Guess> guessVae(const NameIndex& names) {
    const std::int64_t latent = names.dim("decoder.conv_in.weight", 1);
    if (!latent)
        return std::nullopt;
    if (latent == 16)
        return Guess{"vae", true, "a 16-channel (Flux-style) VAE"};
    return Guess{"vae", false,
                 "a VAE with " + std::to_string(latent) + " latent channels" +
                     (latent == 4 ? " (Stable Diffusion / SDXL)" : "")};
}

std::optional<Guess> guessTextEncoder(const NameIndex& names) {
    if (const std::int64_t hidden = names.dim("model.embed_tokens.weight", 1)
                                        ? names.dim("model.embed_tokens.weight", 1)
                                        : names.dim("embed_tokens.weight", 1)) {
        if (!names.anyContains("self_attn.q_norm."))
            return Guess{"text encoder", false,
                         "a Qwen2 / Llama-style language model (hidden size " + std::to_string(hidden) + ")"};
        return Guess{"text encoder", true, "a Qwen3 language model (hidden size " + std::to_string(hidden) + ")"};
    }
    if (names.anyStartsWith("text_model.encoder.") || names.anyContains("transformer.text_model."))
        return Guess{"text encoder", false, "a CLIP text encoder"};
    if (names.anyStartsWith("encoder.block.") || names.find("shared.weight"))
        return Guess{"text encoder", false, "a T5 text encoder"};
    return std::nullopt;
}

bool isQuantized(const TensorCollection& tensors) {
    for (const auto& [name, ref] : tensors)
        if (ref.dtype == DType::F8_E4M3 || ref.dtype == DType::F8_E5M2 || name.ends_with("scale_weight") ||
            name.ends_with("weight_scale") || name.ends_with(".comfy_quant"))
            return true;
    return false;
}

Guess guessCheckpoint(const TensorCollection& tensors) {
    const NameIndex names(tensors);
    Guess guess;
    bool allInOne = false;
    for (const auto& [name, ref] : tensors)
        allInOne = allInOne || name.starts_with("first_stage_model.");
    if (allInOne && names.anyStartsWith("input_blocks."))
        guess = {"checkpoint", false, "an all-in-one Stable Diffusion checkpoint (UNet, VAE and text encoder)"};
    else if (auto denoiser = guessDenoiser(names))
        guess = *denoiser;
    else if (auto vae = guessVae(names))
        guess = *vae;
    else if (auto encoder = guessTextEncoder(names))
        guess = *encoder;
    if (!guess.description.empty() && isQuantized(tensors))
        guess.description += " with FP8-quantized weights";
    return guess;
}

std::string partLabel(std::string_view partName) {
    if (partName == "transformer")
        return "Z-Image DiT (transformer)";
    if (partName == "vae")
        return "Z-Image VAE";
    if (partName == "text encoder")
        return "Z-Image text encoder (Qwen3-4B)";
    return "Z-Image " + std::string(partName);
}

void appendList(std::string& message, std::string_view title, const std::vector<std::string>& lines) {
    if (lines.empty())
        return;
    message += "\n  ";
    message += title;
    message += ":";
    const std::size_t shown = std::min(lines.size(), kMaxListedPerKind);
    for (std::size_t i = 0; i < shown; ++i)
        message += "\n    " + lines[i];
    if (lines.size() > shown)
        message += "\n    ... and " + std::to_string(lines.size() - shown) + " more";
}

std::string storedNote(const std::string& name, const TensorRef& ref) {
    if (ref.storedName.empty() || ref.storedName == name)
        return {};
    return " (stored as '" + ref.storedName + "')";
}

// The closing sentence: what the files are when they are not this part, or why the shapes may disagree.
std::string diagnosis(const TensorCollection& tensors, std::string_view partName, bool wrongShapes) {
    const Guess guess = guessCheckpoint(tensors);
    if (guess.description.find("FP8") != std::string::npos)
        return "\nThis looks like " + guess.description +
               ", which this app cannot load: use the bf16 (or fp16/fp32) file of the same model.";
    if (guess.description.empty())
        return tensors.empty() ? "\nThe files hold no tensors."
                               : "\nThese tensors do not look like any known model part.";
    if (guess.part != partName || !guess.zimageFamily)
        return "\nThis looks like " + guess.description + ", not the " + partLabel(partName) + ".";
    if (wrongShapes)
        return "\nThis looks like " + guess.description +
               " of another size: the config.json next to it may not belong to these weights.";
    return {};
}

} // namespace

std::string describeCheckpoint(const TensorCollection& tensors) {
    return guessCheckpoint(tensors).description;
}

void checkTensors(const TensorCollection& tensors, const std::vector<ExpectedTensor>& expected,
                  std::string_view partName) {
    std::vector<std::string> missing, unexpected, wrongShape;
    std::set<std::string_view> expectedNames;
    for (const auto& tensor : expected) {
        expectedNames.insert(tensor.name);
        const TensorRef* ref = tensors.find(tensor.name);
        if (!ref)
            missing.push_back(tensor.name + " " + formatShape(tensor.shape));
        else if (ref->shape != tensor.shape)
            wrongShape.push_back(tensor.name + ": expected " + formatShape(tensor.shape) + ", found " +
                                 formatShape(ref->shape) + storedNote(tensor.name, *ref));
    }
    for (const auto& [name, ref] : tensors)
        if (!expectedNames.contains(name))
            unexpected.push_back(name + " " + formatShape(ref.shape) + " " + std::string(dtypeName(ref.dtype)) +
                                 storedNote(name, ref));
    if (missing.empty() && unexpected.empty() && wrongShape.empty())
        return;

    std::string message = std::string(partName) + ": the tensors do not match the " + partLabel(partName) + " (" +
                          std::to_string(missing.size()) + " missing, " + std::to_string(unexpected.size()) +
                          " unexpected, " + std::to_string(wrongShape.size()) + " with the wrong shape)";
    appendList(message, "missing", missing);
    appendList(message, "unexpected", unexpected);
    appendList(message, "wrong shape", wrongShape);
    message += diagnosis(tensors, partName, !wrongShape.empty());
    throw IoError(tensors.source(), message);
}

} // namespace zimage::io
