#pragma once
// The Z-Image DiT's 3-axis rotary position embedding (diffusers RopeEmbedder + apply_rotary_emb). Each token has one
// integer position per axis; axis a owns axesDims[a] consecutive head dims, i.e. axesDims[a] / 2 complex pairs
// (x[2j], x[2j+1]) rotated by pos_a * theta^(-2j / axesDims[a]). As the reference, the rotation is a complex64
// product in float32 (view_as_complex and complex mul exist on CPU and CUDA since LibTorch 1.6): one kernel, where a
// real-valued pair rotation takes four.

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace zimage::models {

// A batch's rotations, as applyRope takes them.
struct RopeTables {
    torch::Tensor rotation; // [B, L, 1, D / 2] complex64: cos + i sin of each pair's angle (D = head dim)
};

class RopeEmbedder {
public:
    // axesDims: head dims per axis (sum = head dim, each even); axesLens: positions per axis the reference tabulates
    // (larger positions are an error there, and here); theta: the frequency base.
    RopeEmbedder(std::vector<std::int64_t> axesDims, std::vector<std::int64_t> axesLens, double theta);

    // positions: [L, axes] int64 (CPU). Returns [L, D / 2, 2] float32 on the CPU: (cos, sin) of each pair's angle,
    // the axes' pairs concatenated. Throws std::invalid_argument when a position is outside its axis' range.
    torch::Tensor operator()(const torch::Tensor& positions) const;

    std::int64_t headDim() const { return m_headDim; }
    const std::vector<std::int64_t>& axesLens() const { return m_axesLens; }

private:
    std::vector<std::int64_t> m_axesDims;
    std::vector<std::int64_t> m_axesLens;
    std::vector<torch::Tensor> m_frequencies; // per axis [axesDims[a] / 2] float64
    std::int64_t m_headDim = 0;
};

// The (cos, sin) of several sequences ([L_i, D / 2, 2] each) as one batch on `device`, zero past each sequence's end
// (those rows are batch padding, masked or discarded by the caller).
RopeTables batchRopeTables(const std::vector<torch::Tensor>& items, const torch::Device& device);

// x: [B, L, H, D] in any floating dtype. Returns [B, L, H, D] in x's dtype, rotated in float32 as the reference does
// (its complex product runs with autocast disabled, and the result is cast back to x's dtype).
torch::Tensor applyRope(const torch::Tensor& x, const RopeTables& rope);

} // namespace zimage::models
