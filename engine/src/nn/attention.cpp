#include "nn/attention.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace zimage::nn {
namespace {

// Boolean mask allowing j <= i + offset, for query rows [rowBegin, rowBegin + rows) of an Lq x Lk problem. The
// offset aligns the last query with the last key when Lq < Lk, as SDPA's is_causal does not (it aligns the top-left);
// all our callers have Lq == Lk.
torch::Tensor causalMask(std::int64_t rowBegin, std::int64_t rows, std::int64_t keys, const torch::Device& device) {
    auto options = torch::TensorOptions().dtype(torch::kLong).device(device);
    const auto queryPositions = torch::arange(rowBegin, rowBegin + rows, options).unsqueeze(1);
    const auto keyPositions = torch::arange(keys, options).unsqueeze(0);
    return keyPositions <= queryPositions; // [rows, keys]
}

} // namespace

torch::Tensor chunkedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const std::optional<torch::Tensor>& mask, bool causal, std::int64_t maxScoreBytes) {
    const auto batch = q.size(0), heads = q.size(1), queries = q.size(2), keys = k.size(2);
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(3)));
    // Scores are computed in float32 for half inputs (as the fused kernels accumulate), so count 4 bytes each.
    const std::int64_t bytesPerRow = batch * heads * keys * 4;
    const std::int64_t chunk =
        std::clamp<std::int64_t>(maxScoreBytes / std::max<std::int64_t>(bytesPerRow, 1), 1, queries);
    const auto scoreType = q.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
    const auto kT = k.to(scoreType).transpose(-2, -1);
    const auto vCompute = v.to(scoreType);

    std::vector<torch::Tensor> outputs;
    outputs.reserve(static_cast<std::size_t>((queries + chunk - 1) / chunk));
    for (std::int64_t begin = 0; begin < queries; begin += chunk) {
        const auto rows = std::min(chunk, queries - begin);
        auto scores = torch::matmul(q.slice(2, begin, begin + rows).to(scoreType), kT).mul_(scale); // [B,H,rows,Lk]
        if (mask) {
            auto maskRows = *mask;
            if (maskRows.dim() >= 2 && maskRows.size(-2) == queries)
                maskRows = maskRows.slice(-2, begin, begin + rows);
            scores.masked_fill_(maskRows.logical_not(), -std::numeric_limits<float>::infinity());
        }
        if (causal)
            scores.masked_fill_(causalMask(begin, rows, keys, q.device()).logical_not(),
                                -std::numeric_limits<float>::infinity());
        outputs.push_back(torch::matmul(torch::softmax(scores, -1), vCompute));
    }
    return torch::cat(outputs, 2).to(q.scalar_type());
}

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const std::optional<torch::Tensor>& mask, bool causal) {
#if TORCH_VERSION_MAJOR >= 2
    if (causal && mask) {
        // SDPA takes either; fold the causal constraint into the mask.
        const auto combined = mask->logical_and(causalMask(0, q.size(2), k.size(2), q.device()));
        return at::scaled_dot_product_attention(q, k, v, combined, 0.0, false);
    }
    return at::scaled_dot_product_attention(q, k, v, mask ? std::optional<at::Tensor>(*mask) : std::nullopt, 0.0,
                                            causal);
#else
    return chunkedAttention(q, k, v, mask, causal);
#endif
}

torch::Tensor repeatKvHeads(const torch::Tensor& kv, std::int64_t groups) {
    if (groups == 1)
        return kv;
    const auto batch = kv.size(0), heads = kv.size(1), length = kv.size(2), dim = kv.size(3);
    return kv.unsqueeze(2).expand({batch, heads, groups, length, dim}).reshape({batch, heads * groups, length, dim});
}

} // namespace zimage::nn
