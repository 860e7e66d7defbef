#pragma once
// One finished image as the history records it: enough to show it in the history panel and to reproduce it.

#include "engine_metatypes.h"

#include <zimage/request.h>
#include <zimage/result.h>

#include <QDateTime>
#include <QMetaType>
#include <QString>

#include <cstddef>

namespace zimage::ui {

struct HistoryEntry {
    qint64 id = 0;       // 0 until HistoryStore::add gives it one
    QDateTime createdAt; // UTC, millisecond precision; add() stamps the current time when it is invalid
    // The request of this one image: a single prompt and this image's seed, so that running it reproduces the image.
    GenerationRequest request;
    QString model;     // the model's name or folder, as the generation named it
    QString device;    // what ran it: "cpu", "cuda:0 (NVIDIA H200)"
    QString precision; // what ran it: "fp32", "bf16"
    QString imagePath;

    // Image `imageIndex` of a finished generation (its prompt and seed; the device and precision it ran with).
    static HistoryEntry fromResult(const GenerationResult& result, std::size_t imageIndex, const QString& model,
                                   const QString& imagePath);

    QString prompt() const { return request.prompts.empty() ? QString() : QString::fromStdString(request.prompts[0]); }
    QString seedText() const { return QString::number(request.seed); }
};

} // namespace zimage::ui

Q_DECLARE_METATYPE(zimage::ui::HistoryEntry)
