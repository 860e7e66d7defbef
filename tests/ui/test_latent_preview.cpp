// The live preview's latent-to-RGB projection (ui/latent_preview.h). Its built-in factors are checked against a fresh
// least-squares fit on the fixture's golden cases (golden/case_*.safetensors: the last step's latents and the image
// the reference pipeline decoded from them); how well a projection predicts images it was not fitted on is measured
// by leaving each case out in turn. The drawing tests compute their expected pixels by hand.

#include "fixture.h"
#include "latent_preview.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>

using namespace zimage;
using namespace zimage::ui;

namespace {

// The images of one golden case: its last step's latents [B, 16, h, w] and decoded images [B, 3, 8h, 8w].
struct GoldenImages {
    std::string name;
    int batch = 0;
    int height = 0; // latent pixels
    int width = 0;
    std::vector<float> latents;
    std::vector<float> images;

    std::size_t latentSize() const { return static_cast<std::size_t>(kLatentChannels) * height * width; }
    std::size_t imageSize() const { return 3ull * height * width * kLatentScale * kLatentScale; }
    LatentFitSample sample(int i) const {
        return {std::span(latents).subspan(latentSize() * i, latentSize()),
                std::span(images).subspan(imageSize() * i, imageSize()), height, width};
    }
};

std::vector<GoldenImages> loadGoldenImages() {
    const auto dir = test::fixtureDir() / "golden";
    std::ifstream in(dir / "cases.json");
    const auto document = nlohmann::json::parse(in);
    std::vector<GoldenImages> cases;
    for (const auto& json : document.at("cases")) {
        GoldenImages golden;
        golden.name = json.at("name").get<std::string>();
        const auto file = io::SafetensorsFile::open(dir / ("case_" + golden.name + ".safetensors"));
        const auto& steps = file->at("step_latents").shape; // [steps, B, 16, h, w]
        golden.batch = static_cast<int>(steps[1]);
        golden.height = static_cast<int>(steps[3]);
        golden.width = static_cast<int>(steps[4]);
        const auto all = test::readFloats(*file, "step_latents");
        const auto last = golden.latentSize() * golden.batch;
        golden.latents.assign(all.end() - static_cast<std::ptrdiff_t>(last), all.end());
        golden.images = test::readFloats(*file, "image");
        cases.push_back(std::move(golden));
    }
    return cases;
}

std::vector<LatentFitSample> samplesOf(const std::vector<GoldenImages>& cases, const std::string& except = {}) {
    std::vector<LatentFitSample> samples;
    for (const auto& golden : cases)
        if (golden.name != except)
            for (int i = 0; i < golden.batch; ++i)
                samples.push_back(golden.sample(i));
    return samples;
}

// Pearson correlation per colour channel between what `projection` draws from the latents (at latent resolution)
// and the 8x8 block means of the decoded images, over the given samples.
std::array<double, 3> correlation(const LatentProjection& projection, const std::vector<LatentFitSample>& samples) {
    std::array<double, 3> result{};
    for (int c = 0; c < 3; ++c) {
        double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (const auto& sample : samples) {
            const auto drawn = projectLatents(sample.latents, sample.height, sample.width, projection);
            const auto means = blockMeans(sample.image, sample.height, sample.width);
            const auto plane = static_cast<std::size_t>(sample.height) * sample.width;
            for (int y = 0; y < sample.height; ++y)
                for (int x = 0; x < sample.width; ++x) {
                    const QRgb pixel = drawn.pixel(x, y);
                    const double a = (c == 0 ? qRed(pixel) : c == 1 ? qGreen(pixel) : qBlue(pixel)) / 255.0;
                    const double b = means[c * plane + static_cast<std::size_t>(y) * sample.width + x];
                    n += 1;
                    sx += a;
                    sy += b;
                    sxx += a * a;
                    syy += b * b;
                    sxy += a * b;
                }
        }
        result[c] = (n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    }
    return result;
}

void printAsCode(const LatentProjection& projection) {
    std::cout.precision(9);
    std::cout << "    projection.weights = {{\n";
    for (const auto& row : projection.weights)
        std::cout << "        {" << row[0] << "f, " << row[1] << "f, " << row[2] << "f},\n";
    std::cout << "    }};\n    projection.bias = {" << projection.bias[0] << "f, " << projection.bias[1] << "f, "
              << projection.bias[2] << "f};\n";
}

} // namespace

class TestLatentPreview : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // LatentProjection::fixture() is what fitLatentProjection makes of every golden case.
    void builtInFactorsAreTheFitOfTheGoldenCases() {
        const auto cases = loadGoldenImages();
        const auto samples = samplesOf(cases);
        const auto fitted = fitLatentProjection(samples);
        printAsCode(fitted);
        const auto builtIn = LatentProjection::fixture();
        for (int k = 0; k < kLatentChannels; ++k)
            for (int c = 0; c < 3; ++c)
                QVERIFY2(std::fabs(builtIn.weights[k][c] - fitted.weights[k][c]) < 1e-7,
                         qPrintable(QStringLiteral("weight %1,%2").arg(k).arg(c)));
        for (int c = 0; c < 3; ++c)
            QVERIFY(std::fabs(builtIn.bias[c] - fitted.bias[c]) < 1e-6);
        // Measured: 0.350, 0.280, 0.245 (red, green, blue); required: above 0.2. The fixture's VAE has random weights:
        // its block colours depend on the latents only weakly and not linearly.
        const auto r = correlation(builtIn, samples);
        std::cout << "correlation on the fitted cases: " << r[0] << " " << r[1] << " " << r[2] << "\n";
        for (const double value : r)
            QVERIFY2(value > 0.2, qPrintable(QString::number(value)));
    }

    // Fitted on all cases but one, the projection still follows the left-out case's image. Measured: between 0.083
    // (square_9steps, blue) and 0.411 (truncated, red); required: above 0.04 everywhere, half the lowest.
    void projectionPredictsACaseItWasNotFittedOn() {
        const auto cases = loadGoldenImages();
        double worst = 1.0;
        for (const auto& golden : cases) {
            const auto projection = fitLatentProjection(samplesOf(cases, golden.name));
            std::vector<LatentFitSample> heldOut;
            for (int i = 0; i < golden.batch; ++i)
                heldOut.push_back(golden.sample(i));
            const auto r = correlation(projection, heldOut);
            std::cout << golden.name << " left out: " << r[0] << " " << r[1] << " " << r[2] << "\n";
            for (const double value : r)
                worst = std::min(worst, value);
        }
        QVERIFY2(worst > 0.04, qPrintable(QString::number(worst)));
    }

    // One latent pixel: colour = bias + weights^T latent, clamped, rounded to bytes.
    void projectsEachLatentPixel() {
        LatentProjection projection;
        projection.bias = {0.5f, 0.25f, 0.0f};
        projection.weights[0] = {0.25f, 0.0f, 0.0f};
        projection.weights[15] = {0.0f, 0.5f, 2.0f};
        std::vector<float> latents(16 * 2, 0.0f); // [16, 1, 2]
        latents[0] = 1.0f;                        // channel 0, x 0
        latents[15 * 2 + 1] = 1;                  // channel 15, x 1
        const auto image = projectLatents(latents, 1, 2, projection);
        QCOMPARE(image.size(), QSize(2, 1));
        QCOMPARE(image.pixel(0, 0), qRgb(191, 64, 0));    // (0.75, 0.25, 0)
        QCOMPARE(image.pixel(1, 0), qRgb(128, 191, 255)); // (0.5, 0.75, 2 -> 1)
    }

    void rendersTheBatchAsAGridAtTheDecodedSize() {
        const auto projection = LatentProjection::fixture();
        const std::vector<float> one(16 * 12 * 16, 0.1f);
        QCOMPARE(renderLatentPreview(one, std::vector<std::int64_t>{1, 16, 12, 16}, projection, 512).size(),
                 QSize(128, 96));
        // Longer side capped.
        QCOMPARE(renderLatentPreview(one, std::vector<std::int64_t>{1, 16, 12, 16}, projection, 64).size(),
                 QSize(64, 48));
        // Three images: two columns, two rows.
        const std::vector<float> three(3 * 16 * 12 * 16, 0.1f);
        QCOMPARE(renderLatentPreview(three, std::vector<std::int64_t>{3, 16, 12, 16}, projection, 1024).size(),
                 QSize(256, 192));
        // Not 16 channels, or not the data's size: no preview.
        QVERIFY(renderLatentPreview(one, std::vector<std::int64_t>{1, 4, 48, 16}, projection, 512).isNull());
        QVERIFY(renderLatentPreview(one, std::vector<std::int64_t>{2, 16, 12, 16}, projection, 512).isNull());
    }

    void throttleLetsOnePreviewThroughPerInterval() {
        PreviewThrottle throttle;
        QVERIFY(throttle.due(40.0, 100.0));
        QVERIFY(!throttle.due(90.0, 100.0));
        QVERIFY(throttle.due(140.0, 100.0));
        QVERIFY(!throttle.due(200.0, 100.0));
        QVERIFY(throttle.due(200.0, 0.0)); // a shorter interval applies at once
        QVERIFY(throttle.due(200.0, 0.0));
    }

    void fitRefusesTooFewLatentPixels() {
        const std::vector<float> latents(16 * 2 * 2, 1.0f);
        const std::vector<float> image(3 * 16 * 16, 0.5f);
        const std::vector<LatentFitSample> samples{{latents, image, 2, 2}};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitLatentProjection(samples));
    }
};

QTEST_MAIN(TestLatentPreview)
#include "test_latent_preview.moc"
