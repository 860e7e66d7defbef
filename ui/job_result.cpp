#include "job_result.h"

#include <cstring>

namespace zimage::ui {

QImage imageFromRgb(const std::vector<std::uint8_t>& rgb, int width, int height) {
    if (width <= 0 || height <= 0 ||
        rgb.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3)
        return {};
    // QImage pads each line to 4 bytes: copy line by line.
    QImage image(width, height, QImage::Format_RGB888);
    const auto lineBytes = static_cast<std::size_t>(width) * 3;
    for (int y = 0; y < height; ++y)
        std::memcpy(image.scanLine(y), rgb.data() + static_cast<std::size_t>(y) * lineBytes, lineBytes);
    return image;
}

JobResult JobResult::fromGenerationResult(GenerationResult result) {
    JobResult job;
    for (auto& image : result.images) {
        job.images.append(imageFromRgb(image.rgb, image.width, image.height));
        image.rgb = std::vector<std::uint8_t>(); // frees, where `= {}` may keep the capacity
        image.pixels = std::vector<float>();
    }
    job.planSummary = QString::fromStdString(result.plan.summary());
    for (const auto& warning : result.warnings)
        job.warnings.append(QString::fromStdString(warning));
    job.result = std::move(result);
    return job;
}

} // namespace zimage::ui
