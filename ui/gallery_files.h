#pragma once
// The files behind the gallery: listing an output folder (run it off the GUI thread), moving an image to the trash,
// and reading the generation parameters an image carries (for "copy parameters" and "reuse").

#include "output/parameters_import.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <string>
#include <vector>

namespace zimage::ui {

// One image of the folder, as a directory listing saw it.
struct GalleryFile {
    QString name;        // file name inside the folder
    qint64 size = 0;     // bytes
    qint64 modified = 0; // modification time, ms since the epoch (UTC)

    bool sameVersion(const GalleryFile& other) const { return size == other.size && modified == other.modified; }
};

// Gallery order, newest first: the later modification time first; for equal times the greater name first, so that
// numbered files written within one millisecond still read newest first.
bool galleryNewerFirst(const GalleryFile& a, const GalleryFile& b);

// The lower-case suffixes the gallery lists: png, and jpg/jpeg/webp when this Qt has a reader for them.
QStringList galleryImageSuffixes();

struct GalleryScan {
    bool ok = false;
    QString error;                  // translated, names the folder; set when !ok
    std::vector<GalleryFile> files; // in gallery order
    qint64 startedAt = 0;           // ms since the epoch, when the listing began
};

// Lists the images of `folder` (not its subfolders; hidden files, such as our writers' temporary files, are skipped)
// in gallery order. Blocking file-system work: call it off the GUI thread. Stops early, returning what it has with
// ok == false, when `cancel` becomes true.
GalleryScan scanGalleryFolder(const QString& folder, const QStringList& suffixes, const std::atomic_bool& cancel);

// QFile::moveToTrash with a sentence when it fails ("Could not move “a.png” to the trash: ..."), which also says so
// when the platform has no trash. `trashedPath` receives where the file went, when the platform says.
bool moveFileToTrash(const QString& path, QString* error, QString* trashedPath = nullptr);

// The generation parameters of an image file: our JSON chunk or the A1111-style "parameters" text of a PNG
// (engine/src/output: readPng + importParameters). Blocking (it decodes the PNG): call it off the GUI thread for
// large files. Never throws.
struct ImageParameters {
    bool ok = false; // parameters were found
    QString error;   // translated, when !ok: unreadable file, not a PNG, or no parameters in it
    zimage::output::ImportedParameters imported;
    // What "copy parameters" puts on the clipboard: the file's own "parameters" text when it has one, else that text
    // made from the imported request (the JSON chunk's), so other tools can read it.
    QString text;
};
ImageParameters readImageParameters(const QString& path);

} // namespace zimage::ui
