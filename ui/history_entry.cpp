#include "history_entry.h"

namespace zimage::ui {

HistoryEntry HistoryEntry::fromResult(const GenerationResult& result, std::size_t imageIndex, const QString& model,
                                      const QString& imagePath) {
    const auto& image = result.images.at(imageIndex);
    HistoryEntry entry;
    entry.request = result.request;
    entry.request.prompts = {image.prompt};
    entry.request.seed = image.seed;
    entry.model = model;
    entry.device = QString::fromStdString(result.deviceName);
    // result.request is the request as run: Auto precision resolved to the one used.
    entry.precision = QString::fromUtf8(precisionName(result.request.precision));
    entry.imagePath = imagePath;
    return entry;
}

} // namespace zimage::ui
