// Tiled VAE decode and encode (runtime/tiled_vae.h) against the untiled AutoencoderKL, on the zimage-tiny fixture VAE
// (fixtures/zimage-tiny/README.md: the real Z-Image VAE structure with random weights) in float32 on the CPU. The
// reference is the untiled vae->decode / vae->encode of the same input (they match diffusers to ~1e-5, see
// tests/engine/models/test_autoencoder_kl.cpp). The fixture's golden latents are 12x16, too small to tile, so the
// realistic latent here is the encoder's mean of a smooth synthetic 512x512 image (gradients, discs, straight edges).
// Thresholds were set from the numbers this test prints, with margin; each check says what it measured.

#include "io/model_config.h"
#include "io/tensor_collection.h"
#include "io/tensor_loader.h"
#include "models/autoencoder_kl.h"
#include "runtime/tiled_vae.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace {

namespace io = zimage::io;
namespace models = zimage::models;
namespace runtime = zimage::runtime;

using runtime::VaeTiling;

std::filesystem::path vaeDir() {
    return zimage::test::fixtureDir() / "model" / "vae";
}

models::AutoencoderKL loadTinyVae() {
    models::AutoencoderKL vae(io::readVaeConfig(vaeDir() / "config.json"));
    const auto weights = io::TensorCollection::fromFile(vaeDir() / "diffusion_pytorch_model.safetensors");
    io::loadModuleWeights(*vae, weights, torch::kFloat32, torch::kCPU);
    vae->eval();
    return vae;
}

// A smooth test picture in [-1, 1], [1, 3, height, width]: colour gradients, two soft-edged discs, a hard vertical
// edge and a diagonal stripe pattern, so the latent has both flat areas and structure.
torch::Tensor syntheticImage(std::int64_t height, std::int64_t width) {
    const auto y = torch::linspace(-1.0, 1.0, height).view({height, 1}).expand({height, width});
    const auto x = torch::linspace(-1.0, 1.0, width).view({1, width}).expand({height, width});
    const auto disc = [&](double cy, double cx, double radius) {
        return torch::sigmoid((radius - ((y - cy).square() + (x - cx).square()).sqrt()) * 40.0);
    };
    const auto red = 0.7 * x + 0.2 * y + 0.8 * disc(-0.3, 0.35, 0.3) - 0.3;
    const auto green = 0.5 * y - 0.6 * disc(0.4, -0.4, 0.25) + 0.5 * (x > -0.1).to(torch::kFloat32) - 0.2;
    const auto blue = 0.4 * torch::sin((x + y) * 9.0) * (y > 0.2).to(torch::kFloat32) - 0.3 * x;
    return torch::stack({red, green, blue}).clamp(-1.0, 1.0).unsqueeze(0).contiguous();
}

// Everything the 512x512 comparisons share, computed once: an untiled encode or decode takes ~4 s on one core.
struct Scene {
    models::AutoencoderKL vae{nullptr};
    torch::Tensor image;     // [1, 3, 512, 512]
    torch::Tensor mean;      // [1, 16, 64, 64], the untiled encoder's mean: the latent that is decoded
    torch::Tensor logvar;    // [1, 16, 64, 64]
    torch::Tensor untiled;   // vae->decode(mean), [1, 3, 512, 512]
    VaeTiling tiling{32, 8}; // 3 x 3 tiles at latent offsets 0, 24 and 32 (the last aligned to the far edge)
    torch::Tensor tiled;     // decodeTiled(mean, tiling)
    torch::Tensor topLeft;   // the top-left tile decoded on its own: latent rows [0, 32), columns [0, 32)
    torch::Tensor topMiddle; // its right neighbour: latent rows [0, 32), columns [24, 56)
};

Scene& scene() {
    static Scene built = [] {
        Scene s;
        s.vae = loadTinyVae();
        s.image = syntheticImage(512, 512);
        std::tie(s.mean, s.logvar) = s.vae->encode(s.image);
        s.untiled = s.vae->decode(s.mean);
        s.tiled = runtime::decodeTiled(*s.vae, s.mean, s.tiling);
        s.topLeft = s.vae->decode(s.mean.slice(2, 0, 32).slice(3, 0, 32));
        s.topMiddle = s.vae->decode(s.mean.slice(2, 0, 32).slice(3, 24, 56));
        return s;
    }();
    return built;
}

// PSNR of `test` against `reference` after the pipeline's conversion to a [0, 1] image (peak 1).
double psnr(const torch::Tensor& test, const torch::Tensor& reference) {
    const auto a = models::decoderOutputToImage(test.to(torch::kFloat64));
    const auto b = models::decoderOutputToImage(reference.to(torch::kFloat64));
    const double mse = (a - b).square().mean().item<double>();
    return 10.0 * std::log10(1.0 / mse);
}

double meanAbs(const torch::Tensor& x) {
    return x.abs().mean().item<double>();
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    REQUIRE_EQ(a.sizes().vec(), b.sizes().vec());
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Interior tile edges along one side, in image pixels: where a tile starts or ends inside the image.
std::vector<std::int64_t> tileEdges(std::int64_t latentSize, const VaeTiling& tiling) {
    std::set<std::int64_t> edges;
    for (const auto& tile : runtime::tileGrid(1, latentSize, tiling))
        for (const auto edge : {tile.x, tile.x + tile.width})
            if (edge > 0 && edge < latentSize)
                edges.insert(8 * edge);
    return {edges.begin(), edges.end()};
}

// How much the image steps across the given lines (a step into line e is |x[e] - x[e-1]|), relative to the steps into
// the lines 8 and 16 pixels before and after them: the decoder upsamples by nearest 2x three times, so lines 8 apart
// are alike. A seam makes the first larger; a clean image gives about 1.
double seamRatio(const torch::Tensor& x, std::int64_t dim, const std::vector<std::int64_t>& edges) {
    const auto size = x.size(dim);
    const auto steps = (x.narrow(dim, 1, size - 1) - x.narrow(dim, 0, size - 1)).abs(); // steps[i]: line i -> i + 1
    const auto stepInto = [&](std::int64_t line) { return steps.select(dim, line - 1).mean().item<double>(); };
    double atEdges = 0.0, nearby = 0.0;
    for (const auto edge : edges) {
        atEdges += stepInto(edge);
        double sum = 0.0;
        int count = 0;
        for (const std::int64_t offset : {-16, -8, 8, 16}) {
            const auto line = edge + offset;
            if (line >= 1 && line < size && std::find(edges.begin(), edges.end(), line) == edges.end()) {
                sum += stepInto(line);
                ++count;
            }
        }
        REQUIRE(count > 0);
        nearby += sum / count;
    }
    return atEdges / nearby;
}

// Image-pixel lines along one side that more than one tile covers.
torch::Tensor overlapZone(std::int64_t latentSize, const VaeTiling& tiling) {
    auto count = torch::zeros({8 * latentSize}, torch::kInt);
    for (const auto& tile : runtime::tileGrid(1, latentSize, tiling))
        count.slice(0, 8 * tile.x, 8 * (tile.x + tile.width)).add_(1);
    return count > 1;
}

// Mean of `error` over the lines of `dim` where `zone` is true.
double meanOverLines(const torch::Tensor& error, std::int64_t dim, const torch::Tensor& zone) {
    return error.index_select(dim, zone.nonzero().flatten()).mean().item<double>();
}

} // namespace

// ---------------------------------------------------------------------------------------------------- tiling

TEST_CASE(gridCoversTheLatentAndStaysInside) {
    // Expected from the definition in tiled_vae.h: full tiles at a stride of tile - overlap, the last one ending at the
    // far edge, one tile per side when the side fits.
    for (const VaeTiling tiling : {VaeTiling{16, 4}, VaeTiling{16, 8}, VaeTiling{32, 8}, VaeTiling{32, 0},
                                   VaeTiling{48, 12}, VaeTiling{64, 16}, VaeTiling{17, 16}}) {
        for (const std::int64_t height : {1, 15, 16, 17, 40, 64, 129})
            for (const std::int64_t width : {1, 16, 33, 72, 100}) {
                const auto tiles = runtime::tileGrid(height, width, tiling);
                auto covered = torch::zeros({height, width}, torch::kInt);
                for (const auto& tile : tiles) {
                    REQUIRE(tile.y >= 0 && tile.x >= 0 && tile.y + tile.height <= height &&
                            tile.x + tile.width <= width);
                    CHECK_EQ(tile.height, std::min<std::int64_t>(height, tiling.tileLatent));
                    CHECK_EQ(tile.width, std::min<std::int64_t>(width, tiling.tileLatent));
                    covered.slice(0, tile.y, tile.y + tile.height).slice(1, tile.x, tile.x + tile.width).add_(1);
                }
                CHECK(covered.min().item<int>() >= 1);
                if (height <= tiling.tileLatent && width <= tiling.tileLatent)
                    CHECK_EQ(tiles.size(), 1u);
            }
    }
    // 64 latent px in tiles of 32 with overlap 8: starts 0, 24 (stride 24), then 32 (the last, aligned to the edge).
    std::vector<std::int64_t> starts;
    for (const auto& tile : runtime::tileGrid(1, 64, VaeTiling{32, 8}))
        starts.push_back(tile.x);
    CHECK_EQ(starts, (std::vector<std::int64_t>{0, 24, 32}));
    // Rows then columns: 40 rows -> starts 0, 8; 72 columns -> 0, 24, 40; 6 tiles.
    const auto grid = runtime::tileGrid(40, 72, VaeTiling{32, 8});
    REQUIRE_EQ(grid.size(), 6u);
    CHECK(grid[3].y == 8 && grid[3].x == 0 && grid[5].y == 8 && grid[5].x == 40);
}

TEST_CASE(defaultOverlapIsAQuarterOfTheTile) {
    // The rule in tiled_vae.h: tile / 4, at least 8 latent px.
    CHECK_EQ(runtime::defaultOverlapLatent(16), 8);
    CHECK_EQ(runtime::defaultOverlapLatent(40), 10);
    CHECK_EQ(runtime::defaultOverlapLatent(64), 16);
    CHECK_EQ(runtime::defaultOverlapLatent(128), 32);
    const auto tiling = runtime::tilingForTile(96);
    CHECK(tiling.tileLatent == 96 && tiling.overlapLatent == 24);
}

TEST_CASE(invalidTilingsThrowWithAClearMessage) {
    CHECK_THROWS_WITH(runtime::validateTiling(VaeTiling{8, 2}), std::invalid_argument, "use at least 16 latent");
    CHECK_THROWS_WITH(runtime::validateTiling(VaeTiling{32, -1}), std::invalid_argument, "must not be negative");
    CHECK_THROWS_WITH(runtime::validateTiling(VaeTiling{32, 32}), std::invalid_argument,
                      "must be smaller than the tile (32)");
    CHECK_THROWS_WITH(runtime::tilingForTile(15), std::invalid_argument, "use at least 16 latent");
    CHECK_THROWS_WITH(runtime::tileGrid(0, 8, VaeTiling{32, 8}), std::invalid_argument, "at least 1");
    auto vae = loadTinyVae();
    CHECK_THROWS_WITH(runtime::decodeTiled(*vae, torch::zeros({1, 16, 40, 40}), VaeTiling{32, 40}),
                      std::invalid_argument, "smaller than the tile");
    CHECK_THROWS_WITH(runtime::decodeTiled(*vae, torch::zeros({1, 4, 40, 40}), VaeTiling{32, 8}), c10::Error,
                      "expected latents");
    CHECK_THROWS_WITH(runtime::encodeTiled(*vae, torch::zeros({1, 3, 300, 320}), VaeTiling{32, 8}), c10::Error,
                      "multiples of 8");
    models::AutoencoderKL decoderOnly(vae->config(), /*withEncoder=*/false);
    CHECK_THROWS_WITH(runtime::encodeTiled(*decoderOnly, torch::zeros({1, 3, 64, 64}), VaeTiling{32, 8}),
                      std::logic_error, "without the encoder");
}

// ---------------------------------------------------------------------------------------------------- decode

TEST_CASE(tilesArePlacedAndBlendedWithLinearRamps) {
    // The oracle is the definition in tiled_vae.h applied to tiles decoded on their own: where one tile alone covers
    // the image, the result is that tile; across an overlap of two tiles it is their mix with weights ramping
    // linearly over the overlap's 64 pixels, sampled at pixel centres: (j + 0.5) / 64 for the right tile.
    auto& s = scene();
    // Latent rows [0, 24) and columns [0, 24) belong to the top-left tile only.
    const auto alone = s.tiled.slice(2, 0, 192).slice(3, 0, 192);
    const double aloneError = maxAbsDiff(alone, s.topLeft.slice(2, 0, 192).slice(3, 0, 192));
    // Columns [24, 32) of latent rows [0, 24): the top-left and top-middle tiles.
    const auto right = torch::arange(64, torch::kFloat64).add_(0.5).div_(64.0); // [64]
    const auto expected = s.topLeft.slice(2, 0, 192).slice(3, 192, 256).to(torch::kFloat64) * (1.0 - right) +
                          s.topMiddle.slice(2, 0, 192).slice(3, 0, 64).to(torch::kFloat64) * right;
    const double overlapError = maxAbsDiff(s.tiled.slice(2, 0, 192).slice(3, 192, 256), expected);
    std::printf("  tile placement: max error %.2g where one tile covers, %.2g across an overlap\n", aloneError,
                overlapError);
    // float32 blending (weight / weight sum) rounds at ~1e-7 relative; the decoded values are within about +-6.
    CHECK(aloneError < 1e-5);
    CHECK(overlapError < 1e-5);
}

TEST_CASE(tiledDecodeIsCloseToUntiled) {
    // Measured 17.5 dB, far below the 30 dB class expected of a trained VAE, because the fixture VAE has random
    // weights and its decoder is not local: its GroupNorms (1-2 channels per group) normalise over whatever they are
    // given, so a tile decoded on its own differs from the full decode even in the corner it shares with the image
    // (15.75 dB there, printed below). Not the blending: placement and ramps are exact (previous test case). While
    // writing this test: running the mid block (the attention) on the whole latent first gained only ~1 dB, and an
    // i.i.d. normal latent (statistically alike in every tile) reached 31.9 dB with the same tiling. Thresholds: 15 dB,
    // and no worse than a lone tile in its own corner (less 1 dB). The real weights are to be checked on the GPU.
    auto& s = scene();
    REQUIRE_EQ(s.tiled.sizes().vec(), s.untiled.sizes().vec());
    CHECK(s.tiled.scalar_type() == s.untiled.scalar_type());
    const double db = psnr(s.tiled, s.untiled);
    const double ownCorner =
        psnr(s.topLeft.slice(2, 0, 192).slice(3, 0, 192), s.untiled.slice(2, 0, 192).slice(3, 0, 192));
    std::printf("  512x512, tiles 32/8 latent px: PSNR %.2f dB (a lone tile against the full decode in its own corner: "
                "%.2f dB); mean |tiled - untiled| %.4f, untiled in [%.2f, %.2f]\n",
                db, ownCorner, meanAbs(s.tiled - s.untiled), s.untiled.min().item<double>(),
                s.untiled.max().item<double>());
    CHECK(db > 15.0);
    CHECK(db > ownCorner - 1.0);
}

TEST_CASE(noSeamsAtTileBorders) {
    // Two measures on the 3 x 3 tiling (tile edges at 192, 256 and 448 image px on both axes), thresholds set from
    // what they measured, with margin:
    // - the step across the tile edges relative to the steps across nearby lines (seamRatio), tiled over untiled:
    //   1.04 (rows) and 1.13 (columns). Lines far away are not a fair baseline: the picture's own edges make the
    //   untiled ratio against all other lines 0.80 for rows but 1.47 for columns. For scale: the same tiles without
    //   overlap (VaeTiling{32, 0}, hard cuts at 256) measured 1.57 and 1.16 while writing this test. The random decoder
    //   paints a busy texture that hides steps across columns; the exact blend is checked in
    //   tilesArePlacedAndBlendedWithLinearRamps.
    // - mean |tiled - untiled| in the lines covered by two or more tiles against the other lines: 1.12 and 1.09.
    auto& s = scene();
    const auto edges = tileEdges(64, s.tiling);
    const auto error = (s.tiled - s.untiled).abs();
    const auto zone = overlapZone(64, s.tiling);
    for (const std::int64_t dim : {2, 3}) {
        const double tiled = seamRatio(s.tiled, dim, edges);
        const double untiled = seamRatio(s.untiled, dim, edges);
        const double inOverlaps = meanOverLines(error, dim, zone);
        const double elsewhere = meanOverLines(error, dim, zone.logical_not());
        std::printf("  %s: step across tile edges / nearby lines: tiled %.3f, untiled %.3f (ratio %.3f); mean |tiled - "
                    "untiled| in overlaps %.4f, elsewhere %.4f (ratio %.2f)\n",
                    dim == 2 ? "rows" : "columns", tiled, untiled, tiled / untiled, inOverlaps, elsewhere,
                    inOverlaps / elsewhere);
        CHECK(tiled / untiled < 1.3);
        CHECK(inOverlaps / elsewhere < 1.4);
    }
}

TEST_CASE(oneTileIsExactlyTheUntiledDecode) {
    auto& s = scene();
    const auto z = s.mean.slice(2, 0, 24).slice(3, 0, 40); // [1, 16, 24, 40]
    const auto untiled = s.vae->decode(z);
    CHECK(torch::equal(runtime::decodeTiled(*s.vae, z, VaeTiling{40, 10}), untiled)); // tile == the longer side
    CHECK(torch::equal(runtime::decodeTiled(*s.vae, z, VaeTiling{64, 16}), untiled));
    const auto image = s.image.slice(2, 0, 192).slice(3, 0, 320);
    const auto [mean, logvar] = s.vae->encode(image);
    const auto [tiledMean, tiledLogvar] = runtime::encodeTiled(*s.vae, image, VaeTiling{40, 10});
    CHECK(torch::equal(tiledMean, mean));
    CHECK(torch::equal(tiledLogvar, logvar));
}

TEST_CASE(oddSizesAndBatchTwoCoverEveryPixel) {
    // Latent 21x37 (image 168x296), a batch of two different crops, tiles of 16 with overlap 8: rows start at 0 and 5,
    // columns at 0, 8, 16 and 21 (the last ones overlapping their neighbours by 11). Float64 input on purpose: it is
    // converted to the module's float32 as decode() does.
    auto& s = scene();
    const auto z = torch::cat({s.mean.slice(2, 0, 21).slice(3, 0, 37), s.mean.slice(2, 40, 61).slice(3, 20, 57)})
                       .to(torch::kFloat64); // [2, 16, 21, 37]
    const VaeTiling tiling{16, 8};
    CHECK_EQ(runtime::tileGrid(21, 37, tiling).size(), 8u);
    const auto tiled = runtime::decodeTiled(*s.vae, z, tiling);
    const auto untiled = s.vae->decode(z);
    REQUIRE_EQ(tiled.sizes().vec(), (std::vector<std::int64_t>{2, 3, 168, 296}));
    CHECK(tiled.scalar_type() == torch::kFloat32);
    CHECK(tiled.isfinite().all().item<bool>());
    // An uncovered pixel would be 0 / 0 (NaN) or an exact 0; decoded values are never exactly 0 in practice.
    CHECK_EQ(tiled.eq(0).sum().item<std::int64_t>(), 0);
    // The first tile alone covers latent rows [0, 5) and columns [0, 8); the last (rows [5, 21), columns [21, 37))
    // alone covers rows [16, 21) and columns [32, 37): there the result is that tile decoded on its own.
    const auto first = s.vae->decode(z.slice(2, 0, 16).slice(3, 0, 16));
    const auto last = s.vae->decode(z.slice(2, 5, 21).slice(3, 21, 37));
    const double firstError = maxAbsDiff(tiled.slice(2, 0, 40).slice(3, 0, 64), first.slice(2, 0, 40).slice(3, 0, 64));
    const double lastError =
        maxAbsDiff(tiled.slice(2, 128, 168).slice(3, 256, 296), last.slice(2, 88, 128).slice(3, 88, 128));
    std::printf("  latent 21x37, tiles 16/8: first tile's own region max error %.2g, last tile's %.2g\n", firstError,
                lastError);
    CHECK(firstError < 1e-5);
    CHECK(lastError < 1e-5);
    for (std::int64_t item = 0; item < 2; ++item) {
        // Measured 15.95 and 16.52 dB: smaller tiles than in tiledDecodeIsCloseToUntiled on the same non-local
        // random-weight decoder (see there). Threshold 13 dB.
        const double db = psnr(tiled[item], untiled[item]);
        std::printf("  batch item %lld: PSNR %.2f dB against untiled\n", static_cast<long long>(item), db);
        CHECK(db > 13.0);
    }
}

// ---------------------------------------------------------------------------------------------------- encode

TEST_CASE(tiledEncodeMatchesEncode) {
    // Exact where one tile alone covers the latent (the top-left image tile [0, 256)^2 encoded on its own gives latent
    // rows and columns [0, 24)). Elsewhere the random-weight encoder is as non-local as the decoder (see
    // tiledDecodeIsCloseToUntiled): a lone tile's mean is off by 0.188 on average in its own corner (|mean| averages
    // 0.218), and the blended whole by 0.236 (logvar: 0.195 and 0.245), both 1.26 times the lone tile's. Threshold
    // 1.6 times.
    auto& s = scene();
    const auto [mean, logvar] = runtime::encodeTiled(*s.vae, s.image, s.tiling);
    REQUIRE_EQ(mean.sizes().vec(), s.mean.sizes().vec());
    REQUIRE_EQ(logvar.sizes().vec(), s.logvar.sizes().vec());
    CHECK(mean.scalar_type() == torch::kFloat32 && logvar.scalar_type() == torch::kFloat32);
    const auto [cornerMean, cornerLogvar] = s.vae->encode(s.image.slice(2, 0, 256).slice(3, 0, 256));
    // How far a lone tile's encoding is from the full one in the tile's own corner: the encoder's locality.
    const auto corner = [](const torch::Tensor& x) { return x.slice(2, 0, 24).slice(3, 0, 24); };
    const double ownCornerMean = meanAbs(corner(cornerMean) - corner(s.mean));
    const double ownCornerLogvar = meanAbs(corner(cornerLogvar) - corner(s.logvar));
    const double cornerError =
        std::max(maxAbsDiff(corner(mean), corner(cornerMean)), maxAbsDiff(corner(logvar), corner(cornerLogvar)));
    const double meanMax = maxAbsDiff(mean, s.mean);
    const double meanMean = meanAbs(mean - s.mean);
    const double logvarMax = maxAbsDiff(logvar, s.logvar);
    const double logvarMean = meanAbs(logvar - s.logvar);
    std::printf("  512x512 encode, tiles 32/8: corner tile max error %.2g; tiled - untiled: mean max %.4f avg %.4f, "
                "logvar max %.4f avg %.4f (|mean| avg %.3f, |logvar| avg %.3f; a lone tile in its own corner: mean avg "
                "%.4f, logvar avg %.4f)\n",
                cornerError, meanMax, meanMean, logvarMax, logvarMean, meanAbs(s.mean), meanAbs(s.logvar),
                ownCornerMean, ownCornerLogvar);
    CHECK(cornerError < 1e-5);
    CHECK(meanMean < 1.6 * ownCornerMean);
    CHECK(logvarMean < 1.6 * ownCornerLogvar);
}

// ---------------------------------------------------------------------------------------------------- estimate

TEST_CASE(decodeEstimateGrowsLinearlyWithPixelsAndBatch) {
    // The real Z-Image VAE config (the fixture's real_model_manifest.json), bfloat16 unless said otherwise.
    std::ifstream file(zimage::test::fixtureDir() / "real_model_manifest.json");
    const auto config = io::VaeConfig::fromJson(nlohmann::json::parse(file).at("configs").at("vae"));
    const auto at = [&](std::int64_t batch, std::int64_t side, std::size_t bytes = 2) {
        return static_cast<double>(runtime::estimateDecodeBytes(config, batch, side, side, bytes));
    };
    const double gib = 1024.0 * 1024.0 * 1024.0;
    std::printf("  estimate, bf16: 1024x1024 %.2f GiB, 2048x2048 %.2f GiB, 512x512 batch 4 %.2f GiB\n",
                at(1, 128) / gib, at(1, 256) / gib, at(4, 64) / gib);
    CHECK_NEAR(at(1, 256) / at(1, 128), 4.0, 0.2);
    CHECK_NEAR(at(1, 128) / at(1, 64), 4.0, 0.2);
    CHECK_NEAR(at(2, 128) / at(1, 128), 2.0, 0.1);
    CHECK_NEAR(at(1, 128, 4) / at(1, 128, 2), 2.0, 0.1);
    // At least the three full-resolution activations of a resnet of the last up block (input, normalised input,
    // output: 3 x 128 channels x 1024 x 1024 x 2 bytes).
    CHECK(at(1, 128) >= 3.0 * 128 * 1024 * 1024 * 2);
    CHECK_THROWS_WITH(runtime::estimateDecodeBytes(config, 0, 64, 64, 2), std::invalid_argument, "must be positive");
}
