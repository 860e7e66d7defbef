#include "image_saver.h"

#include "output/image_file.h"

#include <QCoreApplication>
#include <QDir>

#include <cstring>
#include <exception>

namespace zimage::ui {

std::vector<std::uint8_t> rgbBytes(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    const auto rowBytes = static_cast<std::size_t>(rgb.width()) * 3;
    std::vector<std::uint8_t> bytes(rowBytes * static_cast<std::size_t>(rgb.height()));
    // QImage pads every line to 4 bytes; the PNG writer takes tightly packed rows.
    for (int y = 0; y < rgb.height(); ++y)
        std::memcpy(bytes.data() + rowBytes * static_cast<std::size_t>(y), rgb.constScanLine(y), rowBytes);
    return bytes;
}

SavedImages saveJobImages(const JobResult& job, const QString& folder, const QString& modelName) {
    SavedImages saved;
    if (!QDir().mkpath(folder)) {
        saved.error = QCoreApplication::translate(
                          "zimage::ui::ImageSaver",
                          "Could not create the output folder “%1”. Choose a folder you can write to in Settings; the "
                          "image is still shown and can be saved with Save As.")
                          .arg(QDir::toNativeSeparators(folder));
        return saved;
    }
    const std::string model = modelName.toStdString();
    const std::string version = ZIMAGE_VERSION;
    const auto count = std::min<std::size_t>(job.result.images.size(), static_cast<std::size_t>(job.images.size()));
    for (std::size_t i = 0; i < count; ++i) {
        try {
            const auto png =
                output::generatedPng(job.result, i, rgbBytes(job.images[static_cast<qsizetype>(i)]), model, version);
            const auto path = output::freshImagePath(folder.toStdString(), job.result.images[i].seed);
            output::writePng(path, png);
            saved.paths.append(QString::fromStdString(path.string()));
        } catch (const std::exception& error) {
            saved.error = QCoreApplication::translate("zimage::ui::ImageSaver",
                                                      "Could not save the image: %1. Choose another output folder in "
                                                      "Settings or free some disk space, then use Save As; the image "
                                                      "is still shown.")
                              .arg(QString::fromUtf8(error.what()));
            break;
        }
    }
    return saved;
}

} // namespace zimage::ui
