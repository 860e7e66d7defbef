#pragma once
// Initial latent noise, drawn exactly as the reference does: each image of a batch from its own torch generator
// seeded with seed + i, standard normal float32 [1, C, H, W], concatenated. The CPU generator gives ComfyUI's
// numbers, the CUDA generator diffusers' examples' numbers; the two differ, so the choice is part of a seed's meaning.

#include <zimage/request.h>

#include <torch/types.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace zimage::sampling {

using zimage::NoiseSource;

// [B, channels, height, width] float32 on `device`, image i from seeds[i]. Seeds are the full uint64 range torch
// accepts (2^63 + 11 included). The CUDA source needs CUDA (throws std::runtime_error otherwise).
torch::Tensor makeNoise(std::span<const std::uint64_t> seeds, std::int64_t channels, std::int64_t height,
                        std::int64_t width, NoiseSource source, const torch::Device& device);

// seed, seed+1, ..., seed+count-1; past 2^64-1 it wraps to 0 (torch itself refuses seeds that large).
std::vector<std::uint64_t> batchSeeds(std::uint64_t seed, std::int64_t count);

} // namespace zimage::sampling
