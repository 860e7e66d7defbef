#include "gallery_files.h"

#include "output/generation_metadata.h"
#include "output/png_file.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QSet>

#include <algorithm>
#include <exception>
#include <filesystem>

namespace zimage::ui {
namespace {

std::filesystem::path toFilesystemPath(const QString& path) {
#ifdef Q_OS_WIN
    return std::filesystem::path(path.toStdWString());
#else
    return std::filesystem::path(QFile::encodeName(path).toStdString());
#endif
}

} // namespace

bool galleryNewerFirst(const GalleryFile& a, const GalleryFile& b) {
    if (a.modified != b.modified)
        return a.modified > b.modified;
    return a.name > b.name;
}

QStringList galleryImageSuffixes() {
    QSet<QString> readable;
    const auto formats = QImageReader::supportedImageFormats();
    for (const QByteArray& format : formats)
        readable.insert(QString::fromLatin1(format).toLower());
    QStringList suffixes;
    // PNG is built into QtGui; JPEG and WebP come from image format plugins that a build may lack.
    for (const char* suffix : {"png", "jpg", "jpeg", "webp"}) {
        const QString name = QString::fromLatin1(suffix);
        const QString format = name == QLatin1String("jpg") ? QStringLiteral("jpeg") : name;
        if (readable.contains(format))
            suffixes << name;
    }
    return suffixes;
}

GalleryScan scanGalleryFolder(const QString& folder, const QStringList& suffixes, const std::atomic_bool& cancel) {
    GalleryScan scan;
    scan.startedAt = QDateTime::currentMSecsSinceEpoch();
    const QFileInfo folderInfo(folder);
    if (!folderInfo.isDir()) {
        scan.error = QCoreApplication::translate("zimage::ui::GalleryFiles", "The folder “%1” does not exist.")
                         .arg(QDir::toNativeSeparators(folder));
        return scan;
    }
    if (!folderInfo.isReadable()) {
        scan.error = QCoreApplication::translate("zimage::ui::GalleryFiles",
                                                 "The folder “%1” cannot be read (permission denied).")
                         .arg(QDir::toNativeSeparators(folder));
        return scan;
    }
    const QSet<QString> wanted(suffixes.cbegin(), suffixes.cend());
    // No QDir::Hidden: AtomicFile's temporaries (".name.png.tmp-...") and other dot files stay out.
    QDirIterator it(folder, QDir::Files | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        if (cancel.load(std::memory_order_relaxed))
            return scan;
        it.next();
        const QFileInfo info = it.fileInfo();
        if (!wanted.contains(info.suffix().toLower()))
            continue;
        scan.files.push_back({info.fileName(), info.size(), info.lastModified().toMSecsSinceEpoch()});
    }
    std::sort(scan.files.begin(), scan.files.end(), galleryNewerFirst);
    scan.ok = true;
    return scan;
}

bool moveFileToTrash(const QString& path, QString* error, QString* trashedPath) {
    QFile file(path);
    const QString name = QFileInfo(path).fileName();
    if (!file.exists()) {
        if (error)
            *error = QCoreApplication::translate("zimage::ui::GalleryFiles",
                                                 "Could not move “%1” to the trash: it no longer exists.")
                         .arg(name);
        return false;
    }
    if (file.moveToTrash()) {
        if (trashedPath)
            *trashedPath = file.fileName(); // QFile renames itself to the file's place in the trash
        return true;
    }
    if (error) {
        QString reason = file.errorString();
        if (reason.isEmpty() || file.error() == QFileDevice::NoError)
            reason =
                QCoreApplication::translate("zimage::ui::GalleryFiles", "this system has no trash for that folder");
        *error = QCoreApplication::translate("zimage::ui::GalleryFiles", "Could not move “%1” to the trash: %2.")
                     .arg(name, reason);
    }
    return false;
}

ImageParameters readImageParameters(const QString& path) {
    ImageParameters result;
    const QFileInfo info(path);
    const QString name = info.fileName();
    if (info.suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) != 0) {
        result.error =
            QCoreApplication::translate("zimage::ui::GalleryFiles",
                                        "“%1” is not a PNG file: only PNG images carry generation parameters.")
                .arg(name);
        return result;
    }
    output::PngImage png;
    try {
        png = output::readPng(toFilesystemPath(path));
    } catch (const std::exception& e) {
        result.error =
            QCoreApplication::translate("zimage::ui::GalleryFiles", "Could not read the parameters of “%1”: %2")
                .arg(name, QString::fromStdString(e.what()));
        return result;
    }
    result.imported = output::importParameters(png.texts);
    if (!result.imported.found()) {
        QString why =
            QCoreApplication::translate("zimage::ui::GalleryFiles", "“%1” carries no generation parameters.").arg(name);
        if (!result.imported.problems.empty())
            why += QLatin1Char(' ') + QString::fromStdString(result.imported.problems.front());
        result.error = why;
        return result;
    }
    result.ok = true;
    const auto own = std::find_if(png.texts.cbegin(), png.texts.cend(),
                                  [](const output::PngText& text) { return text.key == output::kParametersKey; });
    if (own != png.texts.cend() && !own->value.empty())
        result.text = QString::fromStdString(own->value);
    else {
        GenerationRequest request = result.imported.request;
        if (request.prompts.empty())
            request.prompts.emplace_back();
        result.text = QString::fromStdString(output::a1111Parameters(request, 0, result.imported.modelName));
    }
    return result;
}

} // namespace zimage::ui
