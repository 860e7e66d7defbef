#include "io/expected_tensors.h"

#include "io/io_error.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>
#include <string>

namespace zimage::io {
namespace {

using Shape = std::vector<std::int64_t>;

// Fixed sizes of the Z-Image DiT that are not in its config (diffusers transformer_z_image.py): the adaLN
// conditioning width is min(dim, ADALN_EMBED_DIM); the timestep MLP maps a 256-wide sinusoid through 1024 hidden.
constexpr std::int64_t kAdaLnEmbedDim = 256;
constexpr std::int64_t kTimestepFrequencyDim = 256;
constexpr std::int64_t kTimestepMidDim = 1024;

class TensorList {
public:
    void add(std::string name, Shape shape) { m_tensors.push_back({std::move(name), std::move(shape)}); }
    void addWeightBias(const std::string& prefix, Shape weight, std::int64_t bias) {
        add(prefix + ".weight", std::move(weight));
        add(prefix + ".bias", {bias});
    }
    std::vector<ExpectedTensor> take() { return std::move(m_tensors); }

private:
    std::vector<ExpectedTensor> m_tensors;
};

// --- DiT ---

void addDitBlock(TensorList& list, const std::string& prefix, const TransformerConfig& config, bool modulation) {
    const std::int64_t dim = config.dim;
    const std::int64_t headDim = config.headDim();
    const std::int64_t qRows = config.numHeads * headDim;
    const std::int64_t kvRows = config.numKvHeads * headDim;
    const std::int64_t ffn = config.ffnHidden();
    if (config.qkNorm) {
        list.add(prefix + ".attention.norm_q.weight", {headDim});
        list.add(prefix + ".attention.norm_k.weight", {headDim});
    }
    list.add(prefix + ".attention.to_q.weight", {qRows, dim});
    list.add(prefix + ".attention.to_k.weight", {kvRows, dim});
    list.add(prefix + ".attention.to_v.weight", {kvRows, dim});
    list.add(prefix + ".attention.to_out.0.weight", {dim, qRows});
    list.add(prefix + ".feed_forward.w1.weight", {ffn, dim});
    list.add(prefix + ".feed_forward.w2.weight", {dim, ffn});
    list.add(prefix + ".feed_forward.w3.weight", {ffn, dim});
    for (const char* norm :
         {".attention_norm1.weight", ".ffn_norm1.weight", ".attention_norm2.weight", ".ffn_norm2.weight"})
        list.add(prefix + norm, {dim});
    if (modulation)
        list.addWeightBias(prefix + ".adaLN_modulation.0", {4 * dim, std::min(dim, kAdaLnEmbedDim)}, 4 * dim);
}

// --- VAE ---

void addResnet(TensorList& list, const std::string& prefix, std::int64_t in, std::int64_t out) {
    list.addWeightBias(prefix + ".norm1", {in}, in);
    list.addWeightBias(prefix + ".conv1", {out, in, 3, 3}, out);
    list.addWeightBias(prefix + ".norm2", {out}, out);
    list.addWeightBias(prefix + ".conv2", {out, out, 3, 3}, out);
    if (in != out)
        list.addWeightBias(prefix + ".conv_shortcut", {out, in, 1, 1}, out);
}

void addMidBlock(TensorList& list, const std::string& prefix, std::int64_t channels, bool attention) {
    if (attention) {
        const std::string attn = prefix + ".attentions.0";
        list.addWeightBias(attn + ".group_norm", {channels}, channels);
        for (const char* projection : {".to_q", ".to_k", ".to_v", ".to_out.0"})
            list.addWeightBias(attn + projection, {channels, channels}, channels);
    }
    addResnet(list, prefix + ".resnets.0", channels, channels);
    addResnet(list, prefix + ".resnets.1", channels, channels);
}

void addEncoder(TensorList& list, const VaeConfig& config) {
    const auto& channels = config.blockOutChannels;
    list.addWeightBias("encoder.conv_in", {channels.front(), config.inChannels, 3, 3}, channels.front());
    std::int64_t in = channels.front();
    for (std::size_t level = 0; level < channels.size(); ++level) {
        const std::string block = "encoder.down_blocks." + std::to_string(level);
        for (std::int64_t j = 0; j < config.layersPerBlock; ++j) {
            addResnet(list, block + ".resnets." + std::to_string(j), in, channels[level]);
            in = channels[level];
        }
        if (level + 1 < channels.size())
            list.addWeightBias(block + ".downsamplers.0.conv", {in, in, 3, 3}, in);
    }
    addMidBlock(list, "encoder.mid_block", in, config.midBlockAddAttention);
    list.addWeightBias("encoder.conv_norm_out", {in}, in);
    // The encoder predicts mean and log-variance: twice the latent channels.
    list.addWeightBias("encoder.conv_out", {2 * config.latentChannels, in, 3, 3}, 2 * config.latentChannels);
}

void addDecoder(TensorList& list, const VaeConfig& config) {
    const Shape reversed(config.blockOutChannels.rbegin(), config.blockOutChannels.rend());
    std::int64_t in = reversed.front();
    list.addWeightBias("decoder.conv_in", {in, config.latentChannels, 3, 3}, in);
    for (std::size_t level = 0; level < reversed.size(); ++level) {
        const std::string block = "decoder.up_blocks." + std::to_string(level);
        for (std::int64_t j = 0; j <= config.layersPerBlock; ++j) {
            addResnet(list, block + ".resnets." + std::to_string(j), in, reversed[level]);
            in = reversed[level];
        }
        if (level + 1 < reversed.size())
            list.addWeightBias(block + ".upsamplers.0.conv", {in, in, 3, 3}, in);
    }
    addMidBlock(list, "decoder.mid_block", reversed.front(), config.midBlockAddAttention);
    list.addWeightBias("decoder.conv_norm_out", {in}, in);
    list.addWeightBias("decoder.conv_out", {config.outChannels, in, 3, 3}, config.outChannels);
}

// --- inference helpers ---

const Shape* shapeOf(const TensorCollection& tensors, std::string_view name) {
    const TensorRef* ref = tensors.find(name);
    return ref ? &ref->shape : nullptr;
}

bool hasRank(const Shape* shape, std::size_t rank) {
    return shape && shape->size() == rank && std::all_of(shape->begin(), shape->end(), [](auto d) { return d > 0; });
}

// 1 + the highest N of "<prefix>N." among the names (0 when there is none).
std::int64_t countIndexed(const TensorCollection& tensors, std::string_view prefix) {
    std::int64_t count = 0;
    for (auto it = tensors.tensors().lower_bound(prefix); it != tensors.end(); ++it) {
        const std::string_view name = it->first;
        if (name.substr(0, prefix.size()) != prefix)
            break;
        const std::string_view rest = name.substr(prefix.size());
        std::int64_t index = 0;
        const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
        if (error == std::errc() && end != rest.data() && *end == '.')
            count = std::max(count, index + 1);
    }
    return count;
}

// The first block of the DiT that is present ("layers.0.", or a refiner when a file has no main layers).
std::string firstDitBlock(const TensorCollection& tensors) {
    for (const char* block : {"layers.0.", "noise_refiner.0.", "context_refiner.0."})
        if (tensors.tensors().lower_bound(block) != tensors.end() &&
            tensors.tensors().lower_bound(block)->first.starts_with(block))
            return block;
    return "layers.0.";
}

void inferDitHeads(const TensorCollection& tensors, TransformerConfig& config, std::int64_t oldHeadDim) {
    const std::string block = firstDitBlock(tensors);
    const Shape* normQ = shapeOf(tensors, block + "attention.norm_q.weight");
    if (tensors.contains(block + "attention.to_out.0.weight"))
        config.qkNorm = normQ != nullptr;
    // Z-Image's head_dim is 128; without q/k norms to show it, keep the base config's.
    const std::int64_t headDim = hasRank(normQ, 1) ? (*normQ)[0] : oldHeadDim;
    if (config.dim % headDim != 0)
        return;
    config.numHeads = config.dim / headDim;
    config.numKvHeads = config.numHeads;
    if (const Shape* toK = shapeOf(tensors, block + "attention.to_k.weight");
        hasRank(toK, 2) && (*toK)[0] % headDim == 0)
        config.numKvHeads = (*toK)[0] / headDim;
    else if (const Shape* qkv = shapeOf(tensors, block + "attention.qkv.weight"); hasRank(qkv, 2)) {
        const std::int64_t kvRows = ((*qkv)[0] - config.dim) / 2;
        if (kvRows > 0 && kvRows % headDim == 0 && config.dim + 2 * kvRows == (*qkv)[0])
            config.numKvHeads = kvRows / headDim;
    }
}

void inferDitPatch(const TensorCollection& tensors, TransformerConfig& config) {
    // "all_x_embedder.2-1.weight": patch 2, frame patch 1; weight [dim, patch * patch * fpatch * channels].
    constexpr std::string_view prefix = "all_x_embedder.";
    for (auto it = tensors.tensors().lower_bound(prefix); it != tensors.end() && it->first.starts_with(prefix); ++it) {
        const std::string_view name = it->first;
        if (!name.ends_with(".weight") || !hasRank(&it->second.shape, 2))
            continue;
        const std::string_view sizes = name.substr(prefix.size());
        std::int64_t patch = 0, fPatch = 0;
        const auto [dash, error1] = std::from_chars(sizes.data(), sizes.data() + sizes.size(), patch);
        if (error1 != std::errc() || *dash != '-')
            continue;
        const auto [end, error2] = std::from_chars(dash + 1, sizes.data() + sizes.size(), fPatch);
        if (error2 != std::errc() || *end != '.' || patch <= 0 || fPatch <= 0)
            continue;
        const std::int64_t values = it->second.shape[1];
        if (values % (patch * patch * fPatch) != 0)
            continue;
        config.patchSize = patch;
        config.fPatchSize = fPatch;
        config.inChannels = values / (patch * patch * fPatch);
        return;
    }
}

} // namespace

std::string formatShape(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

std::vector<ExpectedTensor> expectedTransformerTensors(const TransformerConfig& config) {
    TensorList list;
    const std::int64_t dim = config.dim;
    const std::int64_t adaLn = std::min(dim, kAdaLnEmbedDim);
    const std::int64_t values = config.patchValues();
    const std::string patch = std::to_string(config.patchSize) + "-" + std::to_string(config.fPatchSize);
    list.add("x_pad_token", {1, dim});
    list.add("cap_pad_token", {1, dim});
    list.addWeightBias("all_x_embedder." + patch, {dim, values}, dim);
    list.addWeightBias("all_final_layer." + patch + ".linear", {values, dim}, values);
    list.addWeightBias("all_final_layer." + patch + ".adaLN_modulation.1", {dim, adaLn}, dim);
    for (std::int64_t i = 0; i < config.numRefinerLayers; ++i)
        addDitBlock(list, "noise_refiner." + std::to_string(i), config, true);
    for (std::int64_t i = 0; i < config.numRefinerLayers; ++i)
        addDitBlock(list, "context_refiner." + std::to_string(i), config, false);
    list.addWeightBias("t_embedder.mlp.0", {kTimestepMidDim, kTimestepFrequencyDim}, kTimestepMidDim);
    list.addWeightBias("t_embedder.mlp.2", {adaLn, kTimestepMidDim}, adaLn);
    list.add("cap_embedder.0.weight", {config.capFeatDim});
    list.addWeightBias("cap_embedder.1", {dim, config.capFeatDim}, dim);
    for (std::int64_t i = 0; i < config.numLayers; ++i)
        addDitBlock(list, "layers." + std::to_string(i), config, true);
    return list.take();
}

std::vector<ExpectedTensor> expectedVaeTensors(const VaeConfig& config) {
    TensorList list;
    addEncoder(list, config);
    if (config.useQuantConv)
        list.addWeightBias("quant_conv", {2 * config.latentChannels, 2 * config.latentChannels, 1, 1},
                           2 * config.latentChannels);
    if (config.usePostQuantConv)
        list.addWeightBias("post_quant_conv", {config.latentChannels, config.latentChannels, 1, 1},
                           config.latentChannels);
    addDecoder(list, config);
    return list.take();
}

std::vector<ExpectedTensor> expectedTextEncoderTensors(const TextEncoderConfig& config) {
    TensorList list;
    const std::int64_t hidden = config.hiddenSize;
    const std::int64_t qRows = config.numHeads * config.headDim;
    const std::int64_t kvRows = config.numKvHeads * config.headDim;
    const std::int64_t inter = config.intermediateSize;
    list.add("model.embed_tokens.weight", {config.vocabSize, hidden});
    for (std::int64_t i = 0; i < config.numLayers; ++i) {
        const std::string layer = "model.layers." + std::to_string(i);
        list.add(layer + ".self_attn.q_proj.weight", {qRows, hidden});
        list.add(layer + ".self_attn.k_proj.weight", {kvRows, hidden});
        list.add(layer + ".self_attn.v_proj.weight", {kvRows, hidden});
        list.add(layer + ".self_attn.o_proj.weight", {hidden, qRows});
        list.add(layer + ".self_attn.q_norm.weight", {config.headDim});
        list.add(layer + ".self_attn.k_norm.weight", {config.headDim});
        list.add(layer + ".mlp.gate_proj.weight", {inter, hidden});
        list.add(layer + ".mlp.up_proj.weight", {inter, hidden});
        list.add(layer + ".mlp.down_proj.weight", {hidden, inter});
        list.add(layer + ".input_layernorm.weight", {hidden});
        list.add(layer + ".post_attention_layernorm.weight", {hidden});
    }
    list.add("model.norm.weight", {hidden});
    if (!config.tieWordEmbeddings)
        list.add("lm_head.weight", {config.vocabSize, hidden});
    return list.take();
}

TransformerConfig inferTransformerConfig(const TensorCollection& tensors, TransformerConfig base) {
    const std::int64_t oldHeadDim = base.headDim();
    if (const Shape* pad = shapeOf(tensors, "x_pad_token"); hasRank(pad, 2))
        base.dim = (*pad)[1];
    else if (const Shape* cap = shapeOf(tensors, "cap_embedder.1.weight"); hasRank(cap, 2))
        base.dim = (*cap)[0];
    if (const Shape* cap = shapeOf(tensors, "cap_embedder.1.weight"); hasRank(cap, 2))
        base.capFeatDim = (*cap)[1];
    if (const std::int64_t layers = countIndexed(tensors, "layers."); layers > 0)
        base.numLayers = layers;
    if (const std::int64_t refiners = countIndexed(tensors, "noise_refiner."); refiners > 0)
        base.numRefinerLayers = refiners;
    inferDitHeads(tensors, base, oldHeadDim);
    inferDitPatch(tensors, base);
    return base;
}

VaeConfig inferVaeConfig(const TensorCollection& tensors, VaeConfig base) {
    Shape channels;
    for (std::size_t level = 0;; ++level) {
        const Shape* conv =
            shapeOf(tensors, "encoder.down_blocks." + std::to_string(level) + ".resnets.0.conv1.weight");
        if (!hasRank(conv, 4))
            break;
        channels.push_back((*conv)[0]);
    }
    if (!channels.empty())
        base.blockOutChannels = channels;
    if (const std::int64_t layers = countIndexed(tensors, "encoder.down_blocks.0.resnets."); layers > 0)
        base.layersPerBlock = layers;
    if (const Shape* conv = shapeOf(tensors, "encoder.conv_in.weight"); hasRank(conv, 4))
        base.inChannels = (*conv)[1];
    if (const Shape* conv = shapeOf(tensors, "decoder.conv_in.weight"); hasRank(conv, 4))
        base.latentChannels = (*conv)[1];
    if (const Shape* conv = shapeOf(tensors, "decoder.conv_out.weight"); hasRank(conv, 4))
        base.outChannels = (*conv)[0];
    if (tensors.contains("decoder.mid_block.resnets.0.conv1.weight"))
        base.midBlockAddAttention = tensors.contains("decoder.mid_block.attentions.0.to_q.weight");
    base.useQuantConv = tensors.contains("quant_conv.weight");
    base.usePostQuantConv = tensors.contains("post_quant_conv.weight");
    return base;
}

TextEncoderConfig inferTextEncoderConfig(const TensorCollection& tensors, TextEncoderConfig base) {
    if (const Shape* embed = shapeOf(tensors, "model.embed_tokens.weight"); hasRank(embed, 2)) {
        base.vocabSize = (*embed)[0];
        base.hiddenSize = (*embed)[1];
    }
    if (const std::int64_t layers = countIndexed(tensors, "model.layers."); layers > 0)
        base.numLayers = layers;
    const std::string layer = "model.layers.0.";
    if (const Shape* norm = shapeOf(tensors, layer + "self_attn.q_norm.weight"); hasRank(norm, 1))
        base.headDim = (*norm)[0];
    if (const Shape* q = shapeOf(tensors, layer + "self_attn.q_proj.weight");
        hasRank(q, 2) && (*q)[0] % base.headDim == 0)
        base.numHeads = (*q)[0] / base.headDim;
    if (const Shape* k = shapeOf(tensors, layer + "self_attn.k_proj.weight");
        hasRank(k, 2) && (*k)[0] % base.headDim == 0)
        base.numKvHeads = (*k)[0] / base.headDim;
    if (const Shape* gate = shapeOf(tensors, layer + "mlp.gate_proj.weight"); hasRank(gate, 2))
        base.intermediateSize = (*gate)[0];
    base.tieWordEmbeddings = !tensors.contains("lm_head.weight");
    return base;
}

} // namespace zimage::io
