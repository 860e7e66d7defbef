#include "runtime/tiled_vae.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace zimage::runtime {
namespace {

// One tile's extent along one side of the latent, with how far it overlaps its neighbours on that side.
struct AxisSpan {
    std::int64_t start = 0;
    std::int64_t length = 0;
    std::int64_t overlapBefore = 0; // with the previous tile; 0 for the first
    std::int64_t overlapAfter = 0;  // with the next tile; 0 for the last
};

std::vector<AxisSpan> axisSpans(std::int64_t size, const VaeTiling& tiling) {
    const std::int64_t tile = tiling.tileLatent;
    if (size <= tile)
        return {AxisSpan{0, size, 0, 0}};
    const std::int64_t stride = tile - tiling.overlapLatent;
    std::vector<AxisSpan> spans;
    for (std::int64_t start = 0; start + tile < size; start += stride)
        spans.push_back({start, tile, 0, 0});
    // The last tile ends at the far edge; the loop stopped before reaching it, so it starts after the previous one.
    spans.push_back({size - tile, tile, 0, 0});
    for (std::size_t i = 1; i < spans.size(); ++i) {
        const auto overlap = spans[i - 1].start + spans[i - 1].length - spans[i].start;
        spans[i - 1].overlapAfter = overlap;
        spans[i].overlapBefore = overlap;
    }
    return spans;
}

// The blend weight of each of a tile's output pixels along one side, [span.length * scale] float32. It ramps up
// linearly across the overlap with the previous tile and down across the overlap with the next one, and is 1 in
// between. Sampled at pixel centres, so no weight is 0 and the two ramps of an overlap sum to 1 at every pixel. Where
// the two ramps of one tile meet (the last tile of a side can overlap its neighbour by almost a tile) the lower wins.
torch::Tensor rampWeights(const AxisSpan& span, std::int64_t scale, const torch::Device& device) {
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    const auto length = span.length * scale;
    const auto centres = torch::arange(length, options).add_(0.5); // [length]
    auto weights = torch::ones({length}, options);
    if (span.overlapBefore > 0)
        weights = torch::minimum(weights, centres / static_cast<double>(span.overlapBefore * scale));
    if (span.overlapAfter > 0)
        weights = torch::minimum(weights, (length - centres) / static_cast<double>(span.overlapAfter * scale));
    return weights;
}

// Weighted sum of tiles in float32 and the sum of the weights; normalised at the end.
class TileBlender {
public:
    // Output [batch, channels, height, width]; `scale` output pixels per latent pixel.
    TileBlender(std::int64_t batch, std::int64_t channels, std::int64_t height, std::int64_t width, std::int64_t scale,
                const torch::Device& device)
        : m_scale(scale)
        , m_device(device)
        , m_sum(torch::zeros({batch, channels, height, width},
                             torch::TensorOptions().dtype(torch::kFloat32).device(device)))
        , m_weightSum(torch::zeros({height, width}, torch::TensorOptions().dtype(torch::kFloat32).device(device))) {}

    // tile: [batch, channels, rows.length * scale, cols.length * scale], any floating dtype.
    void add(const torch::Tensor& tile, const AxisSpan& rows, const AxisSpan& cols) {
        const auto weights = rampWeights(rows, m_scale, m_device).unsqueeze(1) *
                             rampWeights(cols, m_scale, m_device).unsqueeze(0); // [th, tw]
        const auto y = rows.start * m_scale, x = cols.start * m_scale;
        const auto th = rows.length * m_scale, tw = cols.length * m_scale;
        m_sum.slice(2, y, y + th).slice(3, x, x + tw).addcmul_(tile.to(torch::kFloat32), weights);
        m_weightSum.slice(0, y, y + th).slice(1, x, x + tw).add_(weights);
    }

    // The blended result in `dtype`. Every pixel is covered by at least one tile with a positive weight.
    torch::Tensor result(torch::ScalarType dtype) { return m_sum.div_(m_weightSum).to(dtype); }

private:
    std::int64_t m_scale;
    torch::Device m_device;
    torch::Tensor m_sum;
    torch::Tensor m_weightSum;
};

torch::Tensor sliceTile(const torch::Tensor& x, const AxisSpan& rows, const AxisSpan& cols, std::int64_t scale) {
    return x.slice(2, rows.start * scale, (rows.start + rows.length) * scale)
        .slice(3, cols.start * scale, (cols.start + cols.length) * scale);
}

} // namespace

// ---------------------------------------------------------------------------------------------------- tiling

void validateTiling(const VaeTiling& tiling) {
    if (tiling.tileLatent < kMinTileLatent)
        throw std::invalid_argument("VAE tiling: the tile is " + std::to_string(tiling.tileLatent) +
                                    " latent pixels; use at least " + std::to_string(kMinTileLatent) +
                                    " latent pixels (" + std::to_string(8 * kMinTileLatent) +
                                    " image pixels), smaller tiles are mostly border and show seams");
    if (tiling.overlapLatent < 0)
        throw std::invalid_argument("VAE tiling: the overlap is " + std::to_string(tiling.overlapLatent) +
                                    " latent pixels; it must not be negative (about a quarter of the tile works)");
    if (tiling.overlapLatent >= tiling.tileLatent)
        throw std::invalid_argument("VAE tiling: the overlap (" + std::to_string(tiling.overlapLatent) +
                                    " latent pixels) must be smaller than the tile (" +
                                    std::to_string(tiling.tileLatent) + "); about a quarter of the tile works");
}

int defaultOverlapLatent(int tileLatent) {
    validateTiling(VaeTiling{tileLatent, 0});
    // tileLatent >= 16, so the overlap is at most half the tile.
    return std::max(tileLatent / 4, kMinDefaultOverlapLatent);
}

VaeTiling tilingForTile(int tileLatent) {
    return VaeTiling{tileLatent, defaultOverlapLatent(tileLatent)};
}

std::vector<LatentTile> tileGrid(std::int64_t latentHeight, std::int64_t latentWidth, const VaeTiling& tiling) {
    validateTiling(tiling);
    if (latentHeight < 1 || latentWidth < 1)
        throw std::invalid_argument("VAE tiling: the latent is " + std::to_string(latentHeight) + "x" +
                                    std::to_string(latentWidth) + "; both sides must be at least 1");
    std::vector<LatentTile> tiles;
    for (const auto& rows : axisSpans(latentHeight, tiling))
        for (const auto& cols : axisSpans(latentWidth, tiling))
            tiles.push_back({rows.start, cols.start, rows.length, cols.length});
    return tiles;
}

// ---------------------------------------------------------------------------------------------------- decode, encode

torch::Tensor decodeTiled(models::AutoencoderKLImpl& vae, const torch::Tensor& z, const VaeTiling& tiling) {
    // z: [B, latentChannels, h, w]
    validateTiling(tiling);
    TORCH_CHECK(z.dim() == 4 && z.size(1) == vae.config().latentChannels, "VAE tiled decode: expected latents [B, ",
                vae.config().latentChannels, ", h, w], got ", z.sizes());
    const auto rowSpans = axisSpans(z.size(2), tiling);
    const auto colSpans = axisSpans(z.size(3), tiling);
    if (rowSpans.size() == 1 && colSpans.size() == 1)
        return vae.decode(z); // one tile is the whole latent: exactly the untiled decode

    torch::NoGradGuard noGrad;
    const auto weight = vae.decoder()->parameters().front();
    const auto latents = z.to(weight.device(), weight.scalar_type()); // small next to one decoded tile
    const auto scale = vae.downscaleFactor();
    TileBlender blender(z.size(0), vae.config().outChannels, z.size(2) * scale, z.size(3) * scale, scale,
                        weight.device());
    for (const auto& rows : rowSpans)
        for (const auto& cols : colSpans) {
            // The decoder frees its intermediate activations as it goes; the decoded tile dies after blending, so
            // the next tile starts from the same memory.
            const auto tile = vae.decode(sliceTile(latents, rows, cols, 1)); // [B, outChannels, 8 th, 8 tw]
            blender.add(tile, rows, cols);
        }
    return blender.result(weight.scalar_type()); // [B, outChannels, 8h, 8w]
}

std::pair<torch::Tensor, torch::Tensor> encodeTiled(models::AutoencoderKLImpl& vae, const torch::Tensor& image,
                                                    const VaeTiling& tiling) {
    // image: [B, inChannels, H, W]
    validateTiling(tiling);
    if (!vae.hasEncoder())
        throw std::logic_error("VAE tiled encode: this AutoencoderKL was built without the encoder");
    const auto scale = vae.downscaleFactor();
    TORCH_CHECK(image.dim() == 4 && image.size(1) == vae.config().inChannels && image.size(2) % scale == 0 &&
                    image.size(3) % scale == 0,
                "VAE tiled encode: expected an image [B, ", vae.config().inChannels,
                ", H, W] with H and W multiples of ", scale, ", got ", image.sizes());
    const auto rowSpans = axisSpans(image.size(2) / scale, tiling);
    const auto colSpans = axisSpans(image.size(3) / scale, tiling);
    if (rowSpans.size() == 1 && colSpans.size() == 1)
        return vae.encode(image);

    torch::NoGradGuard noGrad;
    const auto weight = vae.encoder()->parameters().front();
    const auto pixels = image.to(weight.device(), weight.scalar_type());
    const auto latentChannels = vae.config().latentChannels;
    const auto height = image.size(2) / scale, width = image.size(3) / scale;
    TileBlender means(image.size(0), latentChannels, height, width, 1, weight.device());
    TileBlender logvars(image.size(0), latentChannels, height, width, 1, weight.device());
    for (const auto& rows : rowSpans)
        for (const auto& cols : colSpans) {
            const auto [mean, logvar] = vae.encode(sliceTile(pixels, rows, cols, scale)); // each [B, latent, th, tw]
            means.add(mean, rows, cols);
            logvars.add(logvar, rows, cols);
        }
    return {means.result(weight.scalar_type()), logvars.result(weight.scalar_type())}; // each [B, latent, h, w]
}

// ---------------------------------------------------------------------------------------------------- memory estimate

namespace {

// The decoder's activations are counted exactly from the architecture below; on top of them come convolution
// workspaces (cuDNN, oneDNN) and the caching allocator's rounding and fragmentation. To be fitted to measured peaks.
constexpr double kWorkspaceFactor = 1.5;
#if TORCH_VERSION_MAJOR < 2
// LibTorch 1.13's chunked attention (nn::chunkedAttention's default maxScoreBytes) caps one query chunk's float32
// score matrix at this; the softmax makes a second matrix of the same size.
constexpr double kChunkedScoreBytes = 256.0 * 1024 * 1024;
constexpr double kFloat32Bytes = 4.0;
#endif

// The most activation elements a ResnetBlock2D holds at once, per batch item: its input x stays alive to the residual
// add, next to the GroupNorm-SiLU output being convolved and the convolution's output. That is Cin + Cin + Cout
// during conv1 and Cin + Cout + Cout during conv2 (and the 1x1 shortcut).
double resnetPeak(double inChannels, double outChannels, double pixels) {
    return std::max(2 * inChannels + outChannels, inChannels + 2 * outChannels) * pixels;
}

// The mid block's attention over L = h w tokens of C channels, bytes for the whole batch: x (kept for the residual),
// the normalised tokens, q, k and v in the activation dtype. SDPA on LibTorch 2 (flash / memory-efficient kernels)
// never materialises the L x L scores; the 1.13 fallback holds one chunk of float32 scores and its softmax, plus
// float32 copies of k and v and of the output (chunks and their concatenation).
double attentionBytes(double channels, double tokens, double batch, double elementBytes) {
    const double activations = 5 * channels * tokens * batch * elementBytes;
#if TORCH_VERSION_MAJOR >= 2
    return activations;
#else
    const double scores = std::min(batch * tokens * tokens * kFloat32Bytes, kChunkedScoreBytes);
    return activations + 2 * scores + 4 * channels * tokens * batch * kFloat32Bytes;
#endif
}

} // namespace

std::uint64_t estimateDecodeBytes(const io::VaeConfig& config, std::int64_t batch, std::int64_t latentHeight,
                                  std::int64_t latentWidth, std::size_t elementBytes) {
    if (batch < 1 || latentHeight < 1 || latentWidth < 1 || elementBytes < 1 || config.blockOutChannels.empty())
        throw std::invalid_argument("VAE memory estimate: batch, latent size and element size must be positive");
    // The result: kWorkspaceFactor x the most bytes alive at once in any stage of the decoder, walking its
    // architecture stage by stage (each stage's live tensors are spelled out where they are counted).
    const double items = static_cast<double>(batch), bytes = static_cast<double>(elementBytes);
    const auto& channels = config.blockOutChannels;
    const auto levels = channels.size();
    double pixels = static_cast<double>(latentHeight) * static_cast<double>(latentWidth);

    // Mid block at the latent resolution: its resnets, then the attention.
    const double widest = static_cast<double>(channels.back());
    double peakElements = resnetPeak(widest, widest, pixels);
    double peakBytes = attentionBytes(widest, pixels, items, bytes);
    // Up blocks, lowest resolution first (channels reversed). In practice the peak is the first resnet of the last,
    // full-resolution block: its input (channels[1] in Z-Image: 256), that input normalised (256) and conv1's output
    // (channels[0]: 128), i.e. 640 channels x 64 h w pixels; 1.3 GB in bf16 for a 1024x1024 image.
    double in = widest;
    for (std::size_t i = 0; i < levels; ++i) {
        const double out = static_cast<double>(channels[levels - 1 - i]);
        peakElements = std::max(peakElements, resnetPeak(in, out, pixels));
        peakElements = std::max(peakElements, resnetPeak(out, out, pixels)); // the other resnets
        if (i + 1 < levels) {
            // Upsample2D: the input and its nearest-2x copy, then the copy and its convolution's output.
            peakElements = std::max({peakElements, out * pixels + out * 4 * pixels, 2 * out * 4 * pixels});
            pixels *= 4;
        }
        in = out;
    }
    // conv_norm_out + conv_out at full resolution: x, its normalised copy, the output image.
    const double first = static_cast<double>(channels.front());
    peakElements = std::max(peakElements, (2 * first + static_cast<double>(config.outChannels)) * pixels);

    peakBytes = std::max(peakBytes, peakElements * items * bytes);
    return static_cast<std::uint64_t>(peakBytes * kWorkspaceFactor);
}

} // namespace zimage::runtime
