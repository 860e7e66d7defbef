#include "models/zimage_transformer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace zimage::models {
namespace {

// Image and caption sequences are padded to multiples of this (the reference's SEQ_MULTI_OF).
constexpr std::int64_t kSequenceMultiple = 32;
// TimestepEmbedder: sinusoid width, MLP hidden width, period.
constexpr std::int64_t kFrequencyEmbeddingSize = 256;
constexpr std::int64_t kTimestepMidSize = 1024;
constexpr double kMaxPeriod = 10000.0;
constexpr double kFinalNormEps = 1e-6;

std::int64_t paddedLength(std::int64_t length) {
    return (length + kSequenceMultiple - 1) / kSequenceMultiple * kSequenceMultiple;
}

// [B, 1, 1, Lmax] bool, true where j < length_i: masks the batch padding only. None when no item is padded, so the
// attention can take its unmasked (fastest) path.
std::optional<torch::Tensor> batchPaddingMask(const std::vector<std::int64_t>& lengths, const torch::Device& device) {
    const auto longest = *std::max_element(lengths.begin(), lengths.end());
    if (std::all_of(lengths.begin(), lengths.end(), [&](std::int64_t length) { return length == longest; }))
        return std::nullopt;
    const auto positions = torch::arange(longest, torch::TensorOptions().dtype(torch::kLong)); // [Lmax]
    const auto limits = torch::tensor(lengths, torch::TensorOptions().dtype(torch::kLong));    // [B]
    const auto batch = static_cast<std::int64_t>(lengths.size());
    return (positions.unsqueeze(0) < limits.unsqueeze(1)).view({batch, 1, 1, longest}).to(device);
}

// [L_i, D] per item -> [B, Lmax, D], zero rows past each item's end.
torch::Tensor padBatch(const std::vector<torch::Tensor>& items) {
    if (items.size() == 1)
        return items.front().unsqueeze(0);
    return torch::nn::utils::rnn::pad_sequence(items, /*batch_first=*/true);
}

// `rows` copies of a learned [1, dim] pad token appended to tokens [L, dim].
torch::Tensor appendPadRows(const torch::Tensor& tokens, const torch::Tensor& padToken, std::int64_t rows) {
    if (rows == 0)
        return tokens;
    return torch::cat({tokens, padToken.expand({rows, padToken.size(1)})}, 0);
}

// RoPE positions of an image: token (f, h, w) -> (captionLength + 1 + f, h, w), where captionLength is the padded
// caption length; pad rows -> (0, 0, 0). Returns [paddedLength, 3] int64.
torch::Tensor imagePositions(std::int64_t frames, std::int64_t rows, std::int64_t columns, std::int64_t paddedLength,
                             std::int64_t captionLength) {
    const auto grid = torch::meshgrid({torch::arange(frames, torch::kLong) + (captionLength + 1),
                                       torch::arange(rows, torch::kLong), torch::arange(columns, torch::kLong)},
                                      "ij");
    const auto tokens = frames * rows * columns;
    const auto positions = torch::stack(grid, -1).reshape({tokens, 3});
    return torch::cat({positions, torch::zeros({paddedLength - tokens, 3}, torch::kLong)}, 0);
}

// RoPE positions of a caption: row k (pad rows included) -> (1 + k, 0, 0). Returns [paddedLength, 3] int64.
torch::Tensor captionPositions(std::int64_t paddedLength) {
    auto positions = torch::zeros({paddedLength, 3}, torch::kLong);
    positions.select(1, 0).copy_(torch::arange(1, paddedLength + 1, torch::kLong));
    return positions;
}

// The reference's all_x_embedder / all_final_layer: a ModuleDict keyed "<patch>-<f_patch>" ("2-1").
torch::nn::ModuleDict singleEntryDict(const std::string& key, std::shared_ptr<torch::nn::Module> module) {
    return torch::nn::ModuleDict(
        std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>>{{key, std::move(module)}});
}

} // namespace

struct ZImageTransformerImpl::ItemLayout {
    bool frameDim = false; // the latent came as [C, F, H', W'] (else [C, H', W'], F = 1)
    std::int64_t frames = 1, height = 0, width = 0;
    std::int64_t imageTokens = 0;   // patches of the latent
    std::int64_t imageLength = 0;   // imageTokens padded to kSequenceMultiple
    std::int64_t captionTokens = 0; // caption rows given
    std::int64_t captionLength = 0; // captionTokens padded to kSequenceMultiple
};

struct ZImageTransformerImpl::SequencePlan {
    std::vector<std::int64_t> lengths; // per item, padding to 32 included, batch padding excluded
    std::optional<torch::Tensor> mask; // [B, 1, 1, Lmax] or none
    RopeTables rope;                   // [B, Lmax, 1, head dim / 2]
};

struct ZImageTransformerImpl::BatchPlan {
    std::vector<ItemLayout> items;
    SequencePlan images;   // the padded image tokens of each item
    SequencePlan captions; // the padded caption tokens of each item
    SequencePlan unified;  // [image ; caption] of each item
};

ZImageTimestepEmbedderImpl::ZImageTimestepEmbedderImpl(std::int64_t outSize, const torch::TensorOptions& options)
    : m_linear1(kFrequencyEmbeddingSize, kTimestepMidSize, /*bias=*/true, options)
    , m_linear2(kTimestepMidSize, outSize, /*bias=*/true, options) {
    register_module("mlp", torch::nn::ModuleList(m_linear1, torch::nn::SiLU(), m_linear2));
}

torch::Tensor ZImageTimestepEmbedderImpl::forward(const torch::Tensor& t) {
    // t: [B] -> sinusoid [B, 256] (float32, as the reference computes it with autocast off) -> [B, outSize]
    constexpr auto half = kFrequencyEmbeddingSize / 2;
    const auto frequencies =
        torch::exp(-std::log(kMaxPeriod) * torch::arange(0, half, t.options().dtype(torch::kFloat32)) / half);
    const auto arguments = t.to(torch::kFloat32).unsqueeze(1) * frequencies.unsqueeze(0); // [B, 128]
    const auto embedding = torch::cat({arguments.cos(), arguments.sin()}, -1).to(m_linear1->weight.scalar_type());
    return m_linear2(torch::silu(m_linear1(embedding)));
}

ZImageFinalLayerImpl::ZImageFinalLayerImpl(std::int64_t dim, std::int64_t outValues,
                                           const torch::TensorOptions& options)
    : m_linear(dim, outValues, /*bias=*/true, options)
    , m_modulation(std::min(dim, kAdaLnEmbedDim), dim, /*bias=*/true, options) {
    register_module("linear", m_linear);
    register_module("adaLN_modulation", torch::nn::ModuleList(torch::nn::SiLU(), m_modulation));
}

torch::Tensor ZImageFinalLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& adaln) {
    // x: [B, L, dim]; adaln: [B, 256]
    const auto scale = 1.0 + m_modulation(torch::silu(adaln));                     // [B, dim]
    const auto normed = torch::layer_norm(x, {x.size(-1)}, {}, {}, kFinalNormEps); // [B, L, dim]
    return m_linear(normed * scale.unsqueeze(1));                                  // [B, L, outValues]
}

ZImageTransformerImpl::ZImageTransformerImpl(const io::TransformerConfig& config, const torch::TensorOptions& options)
    : m_config(config)
    , m_rope(config.axesDims, config.axesLens, config.ropeTheta) {
    if (config.numHeads <= 0 || config.dim % config.numHeads != 0 || config.headDim() != m_rope.headDim())
        throw std::invalid_argument("DiT config: dim / n_heads (" + std::to_string(config.headDim()) +
                                    ") must equal the sum of axes_dims (" + std::to_string(m_rope.headDim()) + ")");
    if (config.axesDims.size() != 3)
        throw std::invalid_argument("DiT config: axes_dims must have 3 entries (frame, height, width)");
    if (config.patchSize <= 0 || config.fPatchSize <= 0)
        throw std::invalid_argument("DiT config: patch sizes must be positive");
    const auto dim = config.dim;
    const auto patchKey = std::to_string(config.patchSize) + "-" + std::to_string(config.fPatchSize);

    m_xEmbedder = nn::Linear(config.patchValues(), dim, /*bias=*/true, options);
    register_module("all_x_embedder", singleEntryDict(patchKey, m_xEmbedder.ptr()));
    m_finalLayer = ZImageFinalLayer(dim, config.patchValues(), options);
    register_module("all_final_layer", singleEntryDict(patchKey, m_finalLayer.ptr()));

    m_noiseRefiner = register_module("noise_refiner", torch::nn::ModuleList());
    m_contextRefiner = register_module("context_refiner", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < config.numRefinerLayers; ++i) {
        m_noiseRefiner->push_back(ZImageTransformerBlock(config, /*modulation=*/true, options));
        m_contextRefiner->push_back(ZImageTransformerBlock(config, /*modulation=*/false, options));
    }
    m_tEmbedder = register_module("t_embedder", ZImageTimestepEmbedder(std::min(dim, kAdaLnEmbedDim), options));
    m_capNorm = nn::RMSNorm(config.capFeatDim, config.normEps, options);
    m_capLinear = nn::Linear(config.capFeatDim, dim, /*bias=*/true, options);
    register_module("cap_embedder", torch::nn::ModuleList(m_capNorm, m_capLinear));
    m_xPadToken = nn::emptyParameter(*this, "x_pad_token", {1, dim}, options);
    m_capPadToken = nn::emptyParameter(*this, "cap_pad_token", {1, dim}, options);
    m_layers = register_module("layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < config.numLayers; ++i)
        m_layers->push_back(ZImageTransformerBlock(config, /*modulation=*/true, options));
}

ZImageTransformerImpl::ItemLayout ZImageTransformerImpl::describeItem(const torch::Tensor& latent,
                                                                      const torch::Tensor& caption,
                                                                      std::size_t index) const {
    const auto p = m_config.patchSize, pf = m_config.fPatchSize;
    const auto item = "DiT item " + std::to_string(index) + ": ";
    if ((latent.dim() != 3 && latent.dim() != 4) || latent.size(0) != m_config.inChannels)
        throw std::invalid_argument(item + "latent must be [" + std::to_string(m_config.inChannels) +
                                    ", H, W] or [C, F, H, W]");
    ItemLayout entry;
    entry.frameDim = latent.dim() == 4;
    entry.frames = entry.frameDim ? latent.size(1) : 1;
    entry.height = latent.size(-2);
    entry.width = latent.size(-1);
    if (entry.frames % pf != 0 || entry.height % p != 0 || entry.width % p != 0 || entry.height == 0 ||
        entry.width == 0)
        throw std::invalid_argument(item + "latent height and width must be positive multiples of " +
                                    std::to_string(p));
    if (caption.dim() != 2 || caption.size(0) < 1 || caption.size(1) != m_config.capFeatDim)
        throw std::invalid_argument(item + "caption must be [L >= 1, " + std::to_string(m_config.capFeatDim) + "]");
    entry.imageTokens = (entry.frames / pf) * (entry.height / p) * (entry.width / p);
    entry.imageLength = paddedLength(entry.imageTokens);
    entry.captionTokens = caption.size(0);
    entry.captionLength = paddedLength(entry.captionTokens);
    return entry;
}

ZImageTransformerImpl::SequencePlan ZImageTransformerImpl::planSequence(const std::vector<torch::Tensor>& rotations,
                                                                        std::vector<std::int64_t> lengths,
                                                                        const torch::Device& device) {
    SequencePlan plan;
    plan.mask = batchPaddingMask(lengths, device);
    plan.rope = batchRopeTables(rotations, device);
    plan.lengths = std::move(lengths);
    return plan;
}

ZImageTransformerImpl::BatchPlan ZImageTransformerImpl::planBatch(const std::vector<torch::Tensor>& latents,
                                                                  const std::vector<torch::Tensor>& captions) const {
    const auto batch = latents.size();
    BatchPlan plan;
    std::vector<torch::Tensor> imageRotations, captionRotations, unifiedRotations; // per item [L_i, D/2, 2]
    std::vector<std::int64_t> imageLengths, captionLengths, unifiedLengths;
    for (std::size_t i = 0; i < batch; ++i) {
        const auto item = describeItem(latents[i], captions[i], i);
        imageRotations.push_back(
            m_rope(imagePositions(item.frames / m_config.fPatchSize, item.height / m_config.patchSize,
                                  item.width / m_config.patchSize, item.imageLength, item.captionLength)));
        captionRotations.push_back(m_rope(captionPositions(item.captionLength)));
        unifiedRotations.push_back(torch::cat({imageRotations.back(), captionRotations.back()}, 0));
        imageLengths.push_back(item.imageLength);
        captionLengths.push_back(item.captionLength);
        unifiedLengths.push_back(item.imageLength + item.captionLength);
        plan.items.push_back(item);
    }
    const auto device = m_xEmbedder->weight.device();
    plan.images = planSequence(imageRotations, std::move(imageLengths), device);
    plan.captions = planSequence(captionRotations, std::move(captionLengths), device);
    plan.unified = planSequence(unifiedRotations, std::move(unifiedLengths), device);
    return plan;
}

torch::Tensor ZImageTransformerImpl::patchify(const torch::Tensor& latent) const {
    // [C, F, H', W'] -> [F/pf * H'/p * W'/p, pf * p * p * C]: tokens row-major over (f, h, w), values (pf, ph, pw, c)
    const auto p = m_config.patchSize, pf = m_config.fPatchSize;
    const auto c = latent.size(0), f = latent.size(1), h = latent.size(2), w = latent.size(3);
    return latent.reshape({c, f / pf, pf, h / p, p, w / p, p})
        .permute({1, 3, 5, 2, 4, 6, 0})
        .reshape({(f / pf) * (h / p) * (w / p), pf * p * p * c});
}

torch::Tensor ZImageTransformerImpl::unpatchify(const torch::Tensor& tokens, const ItemLayout& item) const {
    // [T, pf * p * p * C] -> [C, F, H', W'] (or [C, H', W'] when the latent had no frame dim)
    const auto p = m_config.patchSize, pf = m_config.fPatchSize, c = m_config.inChannels;
    auto latent = tokens.reshape({item.frames / pf, item.height / p, item.width / p, pf, p, p, c})
                      .permute({6, 0, 3, 1, 4, 2, 5})
                      .reshape({c, item.frames, item.height, item.width});
    return item.frameDim ? latent : latent.squeeze(1);
}

torch::Tensor ZImageTransformerImpl::embedImages(const std::vector<torch::Tensor>& latents, const BatchPlan& plan) {
    const auto& weight = m_xEmbedder->weight;
    std::vector<torch::Tensor> patches;
    std::vector<std::int64_t> tokenCounts;
    for (std::size_t i = 0; i < latents.size(); ++i) {
        const auto latent = latents[i].to(weight.device(), weight.scalar_type());
        patches.push_back(patchify(plan.items[i].frameDim ? latent : latent.unsqueeze(1))); // [T_i, 64]
        tokenCounts.push_back(plan.items[i].imageTokens);
    }
    // One embedding matmul over all images, as the reference: [sum T_i, 64] -> [sum T_i, dim]
    const auto embedded = m_xEmbedder(torch::cat(patches, 0)).split_with_sizes(tokenCounts, 0);
    std::vector<torch::Tensor> tokens;
    for (std::size_t i = 0; i < latents.size(); ++i) {
        const auto& item = plan.items[i];
        tokens.push_back(appendPadRows(embedded[i], m_xPadToken, item.imageLength - item.imageTokens));
    }
    return padBatch(tokens); // [B, Limg, dim]
}

torch::Tensor ZImageTransformerImpl::embedCaptions(const std::vector<torch::Tensor>& captions, const BatchPlan& plan) {
    const auto& weight = m_capLinear->weight;
    std::vector<torch::Tensor> features;
    std::vector<std::int64_t> tokenCounts;
    for (std::size_t i = 0; i < captions.size(); ++i) {
        features.push_back(captions[i].to(weight.device(), weight.scalar_type())); // [Lc_i, capFeatDim]
        tokenCounts.push_back(plan.items[i].captionTokens);
    }
    // RMSNorm then Linear, row-wise: [sum Lc_i, capFeatDim] -> [sum Lc_i, dim]
    const auto embedded = m_capLinear(m_capNorm(torch::cat(features, 0))).split_with_sizes(tokenCounts, 0);
    std::vector<torch::Tensor> tokens;
    for (std::size_t i = 0; i < captions.size(); ++i) {
        const auto& item = plan.items[i];
        tokens.push_back(appendPadRows(embedded[i], m_capPadToken, item.captionLength - item.captionTokens));
    }
    return padBatch(tokens); // [B, Lcap, dim]
}

torch::Tensor ZImageTransformerImpl::unify(const torch::Tensor& images, const torch::Tensor& captions,
                                           const BatchPlan& plan) {
    // images: [B, Limg, dim], captions: [B, Lcap, dim] -> per item [image tokens ; caption tokens] without batch
    // padding -> [B, Lu, dim]
    std::vector<torch::Tensor> tokens;
    for (std::size_t i = 0; i < plan.items.size(); ++i) {
        const auto index = static_cast<std::int64_t>(i);
        tokens.push_back(torch::cat({images[index].slice(0, 0, plan.items[i].imageLength),
                                     captions[index].slice(0, 0, plan.items[i].captionLength)},
                                    0));
    }
    return padBatch(tokens);
}

torch::Tensor ZImageTransformerImpl::runBlocks(torch::nn::ModuleList& blocks, std::size_t firstIndex, torch::Tensor x,
                                               const SequencePlan& plan, const torch::Tensor& adaln) {
    // x: [B, L, dim] -> [B, L, dim]
    for (std::size_t i = 0; i < blocks->size(); ++i) {
        if (m_hooks)
            m_hooks->beforeLayer(firstIndex + i);
        x = blocks[i]->as<ZImageTransformerBlockImpl>()->forward(x, plan.mask, plan.rope, adaln);
        if (m_hooks)
            m_hooks->afterLayer(firstIndex + i);
    }
    return x;
}

std::vector<torch::nn::Module*> ZImageTransformerImpl::blocksInOrder() {
    std::vector<torch::nn::Module*> blocks;
    for (auto* list : {&m_noiseRefiner, &m_contextRefiner, &m_layers})
        for (const auto& block : **list)
            blocks.push_back(block.get());
    return blocks;
}

std::vector<torch::Tensor> ZImageTransformerImpl::nonBlockParameters() {
    std::vector<torch::Tensor> parameters;
    for (const auto& item : named_parameters()) {
        const auto& name = item.key();
        const bool inBlock = name.rfind("noise_refiner.", 0) == 0 || name.rfind("context_refiner.", 0) == 0 ||
                             name.rfind("layers.", 0) == 0;
        if (!inBlock)
            parameters.push_back(item.value());
    }
    return parameters;
}

std::shared_ptr<const ZImageTransformerImpl::BatchPlan>
ZImageTransformerImpl::cachedPlan(const std::vector<torch::Tensor>& latents,
                                  const std::vector<torch::Tensor>& captions) {
    const auto device = m_xEmbedder->weight.device();
    std::vector<std::int64_t> key{static_cast<std::int64_t>(device.type()), device.index()};
    for (std::size_t i = 0; i < latents.size(); ++i) {
        key.push_back(latents[i].dim());
        key.insert(key.end(), latents[i].sizes().begin(), latents[i].sizes().end());
        key.push_back(captions[i].dim());
        key.insert(key.end(), captions[i].sizes().begin(), captions[i].sizes().end());
    }
    const std::lock_guard lock(m_planMutex);
    if (!m_plan || key != m_planKey) {
        m_plan = std::make_shared<const BatchPlan>(planBatch(latents, captions));
        m_planKey = std::move(key);
    }
    return m_plan;
}

std::vector<torch::Tensor> ZImageTransformerImpl::forward(const std::vector<torch::Tensor>& latents,
                                                          const std::vector<torch::Tensor>& captions,
                                                          const torch::Tensor& t) {
    torch::NoGradGuard noGrad;
    const auto batch = latents.size();
    if (batch == 0 || captions.size() != batch)
        throw std::invalid_argument("DiT: need one caption per latent and at least one of each");
    if (t.dim() != 1 || t.size(0) != static_cast<std::int64_t>(batch))
        throw std::invalid_argument("DiT: t must be [B] with B = " + std::to_string(batch));
    const auto planHolder = cachedPlan(latents, captions);
    const auto& plan = *planHolder;
    const auto& weight = m_xEmbedder->weight;
    // [B] -> [B, 256] in the compute dtype
    const auto adaln = m_tEmbedder(t.to(weight.device(), torch::kFloat32) * m_config.tScale);

    const auto refiners = m_noiseRefiner->size();
    const auto images = runBlocks(m_noiseRefiner, 0, embedImages(latents, plan), plan.images, adaln); // [B, Limg, dim]
    const auto captionTokens = runBlocks(m_contextRefiner, refiners, embedCaptions(captions, plan), plan.captions, {});
    const auto unified = runBlocks(m_layers, refiners + m_contextRefiner->size(), unify(images, captionTokens, plan),
                                   plan.unified, adaln); // [B, Lu, dim]

    // Image tokens come first in every item, so the final layer only needs the first max T_i rows.
    std::int64_t maxImageTokens = 0;
    for (const auto& item : plan.items)
        maxImageTokens = std::max(maxImageTokens, item.imageTokens);
    const auto out = m_finalLayer(unified.slice(1, 0, maxImageTokens), adaln); // [B, Tmax, 64]

    std::vector<torch::Tensor> results;
    for (std::size_t i = 0; i < plan.items.size(); ++i) {
        const auto tokens = out[static_cast<std::int64_t>(i)].slice(0, 0, plan.items[i].imageTokens); // [T_i, 64]
        results.push_back(unpatchify(tokens, plan.items[i]).to(latents[i].device(), latents[i].scalar_type()));
    }
    return results;
}

} // namespace zimage::models
