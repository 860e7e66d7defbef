#include "reveal_in_file_manager.h"

#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QUrl>

namespace zimage::ui {
namespace {

bool startFileManager(const QFileInfo& file) {
#if defined(Q_OS_WIN)
    // One argument, as Explorer parses it: "/select,<path>".
    return QProcess::startDetached(QStringLiteral("explorer.exe"),
                                   {QStringLiteral("/select,") + QDir::toNativeSeparators(file.absoluteFilePath())});
#elif defined(Q_OS_MACOS)
    return QProcess::startDetached(QStringLiteral("/usr/bin/open"), {QStringLiteral("-R"), file.absoluteFilePath()});
#else
    return QDesktopServices::openUrl(QUrl::fromLocalFile(file.absolutePath()));
#endif
}

} // namespace

bool revealInFileManager(const QString& path, QString* error) {
    const QFileInfo file(path);
    if (!file.exists()) {
        if (error)
            *error = QCoreApplication::translate("zimage::ui::RevealInFileManager", "“%1” no longer exists.")
                         .arg(QDir::toNativeSeparators(file.absoluteFilePath()));
        return false;
    }
    if (startFileManager(file))
        return true;
    if (error)
        *error = QCoreApplication::translate("zimage::ui::RevealInFileManager",
                                             "Could not open the file manager to show “%1”.")
                     .arg(QDir::toNativeSeparators(file.absoluteFilePath()));
    return false;
}

} // namespace zimage::ui
