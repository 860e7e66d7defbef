#include "latent_preview.h"

#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace zimage::ui {
namespace {

constexpr int kUnknowns = kLatentChannels + 1; // the weights of one colour channel and its bias

// A x = b for each of the 3 right-hand sides, by Gaussian elimination with partial pivoting. A: [17][17], b: [17][3].
// Throws std::invalid_argument when A is (numerically) singular.
std::array<std::array<double, 3>, kUnknowns> solve(std::array<std::array<double, kUnknowns>, kUnknowns> a,
                                                   std::array<std::array<double, 3>, kUnknowns> b) {
    double scale = 0.0;
    for (const auto& row : a)
        for (const double value : row)
            scale = std::max(scale, std::fabs(value));
    for (int column = 0; column < kUnknowns; ++column) {
        int pivot = column;
        for (int row = column + 1; row < kUnknowns; ++row)
            if (std::fabs(a[row][column]) > std::fabs(a[pivot][column]))
                pivot = row;
        if (!(std::fabs(a[pivot][column]) > 1e-12 * scale))
            throw std::invalid_argument("The latents do not determine a projection: too few or linearly dependent "
                                        "latent pixels");
        std::swap(a[column], a[pivot]);
        std::swap(b[column], b[pivot]);
        for (int row = column + 1; row < kUnknowns; ++row) {
            const double factor = a[row][column] / a[column][column];
            for (int k = column; k < kUnknowns; ++k)
                a[row][k] -= factor * a[column][k];
            for (int c = 0; c < 3; ++c)
                b[row][c] -= factor * b[column][c];
        }
    }
    std::array<std::array<double, 3>, kUnknowns> x{};
    for (int row = kUnknowns - 1; row >= 0; --row)
        for (int c = 0; c < 3; ++c) {
            double sum = b[row][c];
            for (int k = row + 1; k < kUnknowns; ++k)
                sum -= a[row][k] * x[k][c];
            x[row][c] = sum / a[row][row];
        }
    return x;
}

// Rounds half up, like lround for the non-negative values after the clamp, without a libm call per pixel.
int toByte(float value) {
    return static_cast<int>(std::clamp(value, 0.0f, 1.0f) * 255.0f + 0.5f); // NOLINT(bugprone-incorrect-roundings)
}

} // namespace

QImage projectLatents(std::span<const float> latents, int height, int width, const LatentProjection& projection) {
    const auto plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    if (height <= 0 || width <= 0 || latents.size() != plane * kLatentChannels)
        return {};
    // Channel by channel over whole planes: the latents are read in order.
    std::vector<float> colours(3 * plane);
    for (std::size_t c = 0; c < 3; ++c) {
        float* out = colours.data() + c * plane;
        std::fill(out, out + plane, projection.bias[c]);
        for (std::size_t k = 0; k < kLatentChannels; ++k) {
            const float weight = projection.weights[k][c];
            const float* in = latents.data() + k * plane;
            for (std::size_t i = 0; i < plane; ++i)
                out[i] += weight * in[i];
        }
    }
    // RGB32: what QImage scales and QPixmap shows without a conversion.
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        const auto row = static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
        for (int x = 0; x < width; ++x) {
            const auto at = row + static_cast<std::size_t>(x);
            line[x] = qRgb(toByte(colours[at]), toByte(colours[plane + at]), toByte(colours[2 * plane + at]));
        }
    }
    return image;
}

QImage renderLatentPreview(std::span<const float> latents, std::span<const std::int64_t> shape,
                           const LatentProjection& projection, int maxSide) {
    if (shape.size() != 4 || shape[0] <= 0 || shape[1] != kLatentChannels || shape[2] <= 0 || shape[3] <= 0 ||
        maxSide <= 0)
        return {};
    const auto batch = static_cast<int>(shape[0]);
    const auto height = static_cast<int>(shape[2]);
    const auto width = static_cast<int>(shape[3]);
    const auto perImage =
        static_cast<std::size_t>(kLatentChannels) * static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    if (latents.size() != perImage * static_cast<std::size_t>(batch))
        return {};
    QImage grid;
    if (batch == 1) {
        grid = projectLatents(latents, height, width, projection);
    } else {
        const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(batch))));
        const int rows = (batch + columns - 1) / columns;
        grid = QImage(columns * width, rows * height, QImage::Format_RGB32);
        grid.fill(Qt::black);
        QPainter painter(&grid);
        for (int i = 0; i < batch; ++i)
            painter.drawImage((i % columns) * width, (i / columns) * height,
                              projectLatents(latents.subspan(perImage * static_cast<std::size_t>(i), perImage), height,
                                             width, projection));
    }
    const double scale = std::min(static_cast<double>(kLatentScale),
                                  static_cast<double>(maxSide) / std::max(grid.width(), grid.height()));
    const QSize size(std::max(1, static_cast<int>(std::lround(grid.width() * scale))),
                     std::max(1, static_cast<int>(std::lround(grid.height() * scale))));
    return size == grid.size() ? grid : grid.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
}

std::vector<float> blockMeans(std::span<const float> image, int height, int width) {
    const auto imageWidth = static_cast<std::size_t>(width) * kLatentScale;
    const auto imagePlane = imageWidth * static_cast<std::size_t>(height) * kLatentScale;
    const auto plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    if (height <= 0 || width <= 0 || image.size() != 3 * imagePlane)
        throw std::invalid_argument("The image is not [3, " + std::to_string(height * kLatentScale) + ", " +
                                    std::to_string(width * kLatentScale) + "]");
    std::vector<float> means(3 * plane, 0.0f);
    for (std::size_t c = 0; c < 3; ++c)
        for (std::size_t y = 0; y < static_cast<std::size_t>(height); ++y)
            for (std::size_t x = 0; x < static_cast<std::size_t>(width); ++x) {
                double sum = 0.0;
                for (std::size_t dy = 0; dy < kLatentScale; ++dy)
                    for (std::size_t dx = 0; dx < kLatentScale; ++dx)
                        sum += image[c * imagePlane + (y * kLatentScale + dy) * imageWidth + x * kLatentScale + dx];
                means[c * plane + y * static_cast<std::size_t>(width) + x] =
                    static_cast<float>(sum / (kLatentScale * kLatentScale));
            }
    return means;
}

LatentProjection fitLatentProjection(std::span<const LatentFitSample> samples) {
    // Normal equations: (X^T X) beta = X^T Y, X's rows the latent pixels with a trailing 1, Y's the block colours.
    std::array<std::array<double, kUnknowns>, kUnknowns> gram{};
    std::array<std::array<double, 3>, kUnknowns> cross{};
    for (const auto& sample : samples) {
        const auto plane = static_cast<std::size_t>(sample.height) * static_cast<std::size_t>(sample.width);
        if (sample.height <= 0 || sample.width <= 0 || sample.latents.size() != kLatentChannels * plane)
            throw std::invalid_argument("A sample's latents are not [16, height, width]");
        const auto colours = blockMeans(sample.image, sample.height, sample.width);
        std::array<double, kUnknowns> row{};
        row[kLatentChannels] = 1.0;
        for (std::size_t at = 0; at < plane; ++at) {
            for (std::size_t k = 0; k < kLatentChannels; ++k)
                row[k] = sample.latents[k * plane + at];
            for (std::size_t i = 0; i < kUnknowns; ++i) {
                for (std::size_t j = 0; j < kUnknowns; ++j)
                    gram[i][j] += row[i] * row[j];
                for (std::size_t c = 0; c < 3; ++c)
                    cross[i][c] += row[i] * colours[c * plane + at];
            }
        }
    }
    const auto beta = solve(gram, cross);
    LatentProjection projection;
    for (std::size_t k = 0; k < kLatentChannels; ++k)
        for (std::size_t c = 0; c < 3; ++c)
            projection.weights[k][c] = static_cast<float>(beta[k][c]);
    for (std::size_t c = 0; c < 3; ++c)
        projection.bias[c] = static_cast<float>(beta[kLatentChannels][c]);
    return projection;
}

bool PreviewThrottle::due(double nowMs, double intervalMs) {
    if (m_any && nowMs - m_lastMs < intervalMs)
        return false;
    m_any = true;
    m_lastMs = nowMs;
    return true;
}

LatentProjection LatentProjection::fixture() {
    // fitLatentProjection on the last step's latents and the image of every case of the fixture's golden/cases.json
    // (test_latent_preview fits them again and prints them in this form).
    LatentProjection projection;
    projection.weights = {{
        {-0.00223625451f, -0.00122415577f, -0.00141987449f},
        {-0.0014621265f, 0.00524855964f, -7.67116799e-05f},
        {-0.00143264676f, -2.63163511e-05f, -0.000794443651f},
        {-0.00136180082f, 0.00214012526f, -0.000290073949f},
        {-0.00206016423f, -0.00593411922f, -0.000762156269f},
        {0.000704404199f, -0.0010647123f, -0.0015577476f},
        {-0.00160530896f, 0.00541628106f, -0.00286286185f},
        {0.00560854375f, -0.00647395011f, -0.00146309589f},
        {0.000900956627f, -0.000540580193f, -0.00291941548f},
        {0.00909877755f, -0.00125968608f, -0.000294993864f},
        {0.000428421394f, 5.28121418e-05f, 0.000822013535f},
        {0.00324246264f, 0.00254883291f, 0.00436959742f},
        {0.00421980117f, -0.000466185389f, 0.00157341815f},
        {0.00202746666f, 0.000973416376f, 0.00280950172f},
        {0.00280601205f, -0.000279482687f, -0.000315893005f},
        {0.00133014901f, 0.000459375413f, 0.000851410441f},
    }};
    projection.bias = {0.513600171f, 0.488965243f, 0.577816188f};
    return projection;
}

} // namespace zimage::ui
