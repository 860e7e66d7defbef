#pragma once
// The Z-Image DiT's 3-axis rotary position embedding (diffusers RopeEmbedder + apply_rotary_emb). Each token has one
// integer position per axis; axis a owns axesDims[a] consecutive head dims, i.e. axesDims[a] / 2 complex pairs
// (x[2j], x[2j+1]) rotated by pos_a * theta^(-2j / axesDims[a]). The reference multiplies complex numbers in float32;
// here the same rotation is done with real tensors (LibTorch 1.13 has no usable complex kernels on every backend).

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace zimage::models {

// Per-token rotation in the layout applyRope uses. For pair j with angle a_j:
// cos = (cos a_j, cos a_j), sin = (-sin a_j, +sin a_j), so rotate(x) = x * cos + pairSwap(x) * sin.
struct RopeTables {
    torch::Tensor cos; // [..., L, D] float32 (D = head dim)
    torch::Tensor sin; // [..., L, D] float32
};

class RopeEmbedder {
public:
    // axesDims: head dims per axis (sum = head dim, each even); axesLens: positions per axis the reference tabulates
    // (larger positions are an error there, and here); theta: the frequency base.
    RopeEmbedder(std::vector<std::int64_t> axesDims, std::vector<std::int64_t> axesLens, double theta);

    // positions: [L, axes] int64 (CPU). Returns tables [L, D] on the CPU. Throws std::invalid_argument when a
    // position is outside its axis' range.
    RopeTables operator()(const torch::Tensor& positions) const;

    std::int64_t headDim() const { return m_headDim; }
    const std::vector<std::int64_t>& axesLens() const { return m_axesLens; }

private:
    std::vector<std::int64_t> m_axesDims;
    std::vector<std::int64_t> m_axesLens;
    std::vector<torch::Tensor> m_frequencies; // per axis [axesDims[a] / 2] float64
    std::int64_t m_headDim = 0;
};

// Tables of several sequences as one batch: [B, Lmax, 1, D] on `device`, zero past each sequence's end (those rows
// are batch padding, masked or discarded by the caller).
RopeTables batchRopeTables(const std::vector<RopeTables>& tables, const torch::Device& device);

// x: [B, L, H, D] in any floating dtype; rope: [B, L, 1, D] float32. Returns [B, L, H, D] in x's dtype, rotated in
// float32 as the reference does (its complex product runs under autocast-disabled float32).
torch::Tensor applyRope(const torch::Tensor& x, const RopeTables& rope);

} // namespace zimage::models
