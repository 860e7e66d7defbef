#pragma once
// Writing a finished job's images to the output folder: one PNG per image, atomically (temporary file, then rename),
// with the "parameters" text and the JSON chunk of the full request (engine/src/output/image_file.h). Blocking file
// work: the main window runs it on a pool thread and records the history on the GUI thread afterwards.

#include "job_result.h"

#include <QString>
#include <QStringList>

namespace zimage::ui {

struct SavedImages {
    QStringList paths; // one per image written, in the job's order
    QString error;     // translated, empty on success; the images written before the failure are in `paths`

    bool ok() const { return error.isEmpty(); }
};

// Creates `folder` when needed. Never throws: an unwritable folder or a full disk is reported in `error` with what to
// do.
SavedImages saveJobImages(const JobResult& job, const QString& folder, const QString& modelName);

// The 8-bit RGB bytes of `image` (any format), row-major without padding, as the PNG writer takes them.
std::vector<std::uint8_t> rgbBytes(const QImage& image);

} // namespace zimage::ui
