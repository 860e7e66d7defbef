#pragma once
// Tiled VAE decode and encode: the latent is cut into overlapping tiles, each tile runs through the VAE on its own
// (so peak activation memory is one tile's), and the tiles are blended with weights that ramp linearly across every
// overlap, so there are no seams. The decoder's GroupNorms and its mid-block attention see only their tile, so a
// tiled result is close to, not equal to, the untiled one; a tiling whose tile holds the whole latent gives exactly
// the untiled result.
//
// Sizes are in latent pixels: one latent pixel is AutoencoderKLImpl::downscaleFactor() = 8 image pixels per side.

#include "io/model_config.h"
#include "models/autoencoder_kl.h"

#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace zimage::runtime {

struct VaeTiling {
    int tileLatent = 64;    // side of a square tile; 64 latent px = 512 image px
    int overlapLatent = 16; // how far neighbouring tiles overlap (at least; the last tile of a row may overlap more)
};

// Below 16 latent pixels (128 image pixels) a tile is mostly border: the decoder's 3x3 convolutions at the latent
// resolution alone reach ~10 latent pixels into the zero padding, and the blend could no longer hide it.
inline constexpr int kMinTileLatent = 16;
// The default overlap: a quarter of the tile, but never less than this many latent pixels.
inline constexpr int kMinDefaultOverlapLatent = 8;

// Throws std::invalid_argument saying what to change when the tile is smaller than kMinTileLatent, the overlap is
// negative, or the overlap is not smaller than the tile.
void validateTiling(const VaeTiling& tiling);

// A quarter of the tile, at least kMinDefaultOverlapLatent. Throws std::invalid_argument below kMinTileLatent.
int defaultOverlapLatent(int tileLatent);
// {tileLatent, defaultOverlapLatent(tileLatent)}.
VaeTiling tilingForTile(int tileLatent);

// One tile, in latent pixels: rows [y, y + height), columns [x, x + width).
struct LatentTile {
    std::int64_t y = 0;
    std::int64_t x = 0;
    std::int64_t height = 0;
    std::int64_t width = 0;
};

// The tiles of a latentHeight x latentWidth latent, row by row. Along each side: tiles of `tileLatent` at a stride of
// tileLatent - overlapLatent, the last one moved back to end at the far edge (so every tile is full size and the last
// overlap is at least overlapLatent); one tile spanning the whole side when the side is not longer than a tile.
// Validates the tiling; throws std::invalid_argument for sides < 1.
std::vector<LatentTile> tileGrid(std::int64_t latentHeight, std::int64_t latentWidth, const VaeTiling& tiling);

// AutoencoderKLImpl::decode, one tile at a time. z: [B, latentChannels, h, w], already unscaled
// (models::unscaleLatents), any dtype and device (converted to the module's). Returns [B, outChannels, 8h, 8w] in the
// module's dtype, on the module's device. Blends in float32 (an accumulator of the output's size on the module's
// device). When one tile covers the latent this is exactly vae.decode(z).
torch::Tensor decodeTiled(models::AutoencoderKLImpl& vae, const torch::Tensor& z, const VaeTiling& tiling);

// AutoencoderKLImpl::encode, one tile at a time: image tiles are 8x the latent tiles, the moments are blended in
// latent space. image: [B, inChannels, H, W] in [-1, 1], H and W multiples of 8. Returns {mean, logvar}, each
// [B, latentChannels, H/8, W/8] in the module's dtype. Throws std::logic_error when the VAE has no encoder.
std::pair<torch::Tensor, torch::Tensor> encodeTiled(models::AutoencoderKLImpl& vae, const torch::Tensor& image,
                                                    const VaeTiling& tiling);

// Peak activation bytes of one untiled decode of a batch x latentHeight x latentWidth latent with elementBytes per
// activation element (2 for bf16/fp16, 4 for fp32); weights not included. For a tiled decode call it with the tile
// size, and add decodeTiled's float32 blend accumulator for the whole image, 4 * (B * outChannels + 1) * 64 h w bytes.
// Cheap: arithmetic over the config. Uncalibrated: the constants in tiled_vae.cpp are to be fitted to measured GPU
// peaks.
std::uint64_t estimateDecodeBytes(const io::VaeConfig& config, std::int64_t batch, std::int64_t latentHeight,
                                  std::int64_t latentWidth, std::size_t elementBytes);

} // namespace zimage::runtime
