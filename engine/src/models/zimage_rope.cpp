#include "models/zimage_rope.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace zimage::models {

RopeEmbedder::RopeEmbedder(std::vector<std::int64_t> axesDims, std::vector<std::int64_t> axesLens, double theta)
    : m_axesDims(std::move(axesDims))
    , m_axesLens(std::move(axesLens)) {
    if (m_axesDims.empty() || m_axesDims.size() != m_axesLens.size())
        throw std::invalid_argument("RoPE: axes_dims and axes_lens must be non-empty and of equal length");
    for (const auto dim : m_axesDims) {
        if (dim <= 0 || dim % 2 != 0)
            throw std::invalid_argument("RoPE: every axes_dims entry must be positive and even, got " +
                                        std::to_string(dim));
        // As the reference: 1 / theta^(2j / d) in float64; angles are rounded to float32 only after pos * freq.
        const auto exponents = torch::arange(0, dim, 2, torch::kFloat64) / static_cast<double>(dim);
        m_frequencies.push_back(1.0 / torch::pow(theta, exponents)); // [dim / 2]
        m_headDim += dim;
    }
}

torch::Tensor RopeEmbedder::operator()(const torch::Tensor& positions) const {
    // positions: [L, axes] int64
    const auto axes = static_cast<std::int64_t>(m_axesDims.size());
    if (positions.dim() != 2 || positions.size(1) != axes)
        throw std::invalid_argument("RoPE: positions must be [L, " + std::to_string(axes) + "]");
    const auto length = positions.size(0);
    std::vector<torch::Tensor> angles;
    angles.reserve(m_axesDims.size());
    for (std::int64_t axis = 0; axis < axes; ++axis) {
        const auto column = positions.select(1, axis).to(torch::kFloat64); // [L]
        if (length > 0 &&
            (column.min().item<double>() < 0 || column.max().item<double>() >= static_cast<double>(m_axesLens[axis])))
            throw std::invalid_argument("RoPE: a position on axis " + std::to_string(axis) + " is outside [0, " +
                                        std::to_string(m_axesLens[axis]) + "): the image or caption is too long");
        angles.push_back((column.unsqueeze(1) * m_frequencies[axis].unsqueeze(0)).to(torch::kFloat32)); // [L, d/2]
    }
    const auto all = torch::cat(angles, 1);          // [L, D/2]
    return torch::stack({all.cos(), all.sin()}, -1); // [L, D/2, 2]
}

RopeTables batchRopeTables(const std::vector<torch::Tensor>& items, const torch::Device& device) {
    // [B, Lmax, D/2, 2] float32 -> [B, Lmax, 1, D/2] complex64 (broadcast over heads)
    const auto padded = torch::nn::utils::rnn::pad_sequence(items, /*batch_first=*/true).to(device);
    return RopeTables{torch::view_as_complex(padded).unsqueeze(2)};
}

torch::Tensor applyRope(const torch::Tensor& x, const RopeTables& rope) {
    // x: [B, L, H, D] -> pairs [B, L, H, D/2] complex64, times rope.rotation [B, L, 1, D/2]
    const auto pairs = torch::view_as_complex(x.to(torch::kFloat32).contiguous().unflatten(-1, {x.size(-1) / 2, 2}));
    return torch::view_as_real(pairs * rope.rotation).flatten(-2).to(x.scalar_type()); // [B, L, H, D]
}

} // namespace zimage::models
