#pragma once
// What EngineWorker::jobFinished carries: the images as QImage, and the engine's result (the request as run, timings,
// memory figures and plan, warnings) for everything that reads a zimage::GenerationResult (HistoryEntry::fromResult,
// the PNG metadata).

#include <zimage/result.h>

#include <QImage>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace zimage::ui {

struct JobResult {
    QList<QImage> images; // RGB888, one per prompt, in the request's order
    // The engine's result. Its images keep their size, seed and prompt, but not their pixels: `rgb` and `pixels` are
    // left empty (the pixels are `images`; the float copy is not needed on the GUI side).
    GenerationResult result;
    QString planSummary; // result.plan.summary()
    QStringList warnings;

    // Moves the pixels out of `result` into QImages.
    static JobResult fromGenerationResult(GenerationResult result);
};

// 8-bit RGB, row-major and interleaved (GeneratedImage::rgb), as a QImage that owns a copy. Null when `rgb` does not
// hold width x height x 3 bytes.
QImage imageFromRgb(const std::vector<std::uint8_t>& rgb, int width, int height);

} // namespace zimage::ui

Q_DECLARE_METATYPE(zimage::ui::JobResult)
