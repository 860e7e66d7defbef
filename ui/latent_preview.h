#pragma once
// The live preview of a running generation: the current latents (StepProgress::latents) projected to RGB by a fixed
// linear map, 16 latent channels -> 3 plus a bias, one colour per latent pixel, then scaled up smoothly for display.
// It costs a copy of the latents, 16 x 3 multiply-adds per latent pixel and the scaling: for a 1024x1024 image
// (128x128 latent pixels) about 1 ms for the projection and 2 to 5 ms in all at 512 pixels (measured on a busy 2-core
// machine), where the VAE decode it stands in for costs seconds. The worker makes at most one per interval
// (PreviewOptions), so a generation is not slowed measurably.
//
// The factors are a least-squares fit (fitLatentProjection): each latent pixel, as the denoising loop holds it
// (scaled and shifted for the DiT), against the mean colour of the 8x8 block of the decoded image it becomes. The
// built-in ones (LatentProjection::fixture) were fitted on the zimage-tiny fixture's golden cases (the last step's
// latents and the decoded image of each); test_latent_preview refits them from those files and checks that they
// agree. The fixture's VAE has random weights, so its colours follow the latents only weakly (correlations of 0.25 to
// 0.35 per channel on the fitted cases) and the preview is a faint one. A VAE with other weights, the real model's
// above all, needs its own fit from its own decodes, made the same way.

#include <QImage>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace zimage::ui {

inline constexpr int kLatentChannels = 16;
inline constexpr int kLatentScale = 8; // image pixels per latent pixel, each way

struct LatentProjection {
    // colour[c] = bias[c] + sum over k of weights[k][c] * latent[k]; colours in [0, 1] (clamped when drawn).
    std::array<std::array<float, 3>, kLatentChannels> weights{};
    std::array<float, 3> bias{};

    // Fitted on the zimage-tiny fixture (see the top of this file).
    static LatentProjection fixture();
};

// One image's latents [16, height, width] (planar float32, a slice of LatentAccess::copyLatents()) as an RGB32 image
// at latent resolution: width x height pixels.
QImage projectLatents(std::span<const float> latents, int height, int width, const LatentProjection& projection);

// The batch [B, 16, h, w] as copyLatents() returns it, as one image: the images in a grid of ceil(sqrt(B)) columns,
// scaled up smoothly to the decoded size (8x) or less, so that the longer side is at most `maxSide` pixels. A null
// QImage when the shape is not [B, 16, h, w] or does not match the data.
QImage renderLatentPreview(std::span<const float> latents, std::span<const std::int64_t> shape,
                           const LatentProjection& projection, int maxSide);

// One latent image and the image the VAE decoded from it, for fitting.
struct LatentFitSample {
    std::span<const float> latents; // [16, height, width], as the denoising loop holds them
    std::span<const float> image;   // [3, 8 * height, 8 * width], planar, in [0, 1]
    int height = 0;                 // latent pixels
    int width = 0;
};

// The least-squares projection of the samples' latent pixels onto the mean colour of their 8x8 image blocks (normal
// equations in double precision, one 17-unknown system per colour channel). Throws std::invalid_argument when a
// sample's sizes do not match or the latents do not determine a fit (fewer than 17 independent latent pixels).
LatentProjection fitLatentProjection(std::span<const LatentFitSample> samples);

// The mean colour of each 8x8 block: image [3, 8h, 8w] planar -> [3, h, w] planar (what a projection is fitted to).
std::vector<float> blockMeans(std::span<const float> image, int height, int width);

// Decides which steps get a preview: the first one asked about, then one whenever `intervalMs` has passed since the
// last (0: every step). The interval may change between calls.
class PreviewThrottle {
public:
    // `nowMs` on any monotonic clock (the generation's elapsed time); true when this step gets a preview.
    bool due(double nowMs, double intervalMs);

private:
    double m_lastMs = 0.0;
    bool m_any = false;
};

} // namespace zimage::ui
