#pragma once
// "Reveal in file manager": shows where an image lies. Windows (Explorer) and macOS (Finder) select the file itself;
// elsewhere the containing folder opens (QDesktopServices): selecting the file would need the FileManager1 D-Bus
// interface, and QtDBus is not among our dependencies.

#include <QString>

namespace zimage::ui {

// Starts the file manager without waiting for it. False with `error` set (a translated sentence naming the file)
// when the file does not exist or nothing could be started.
bool revealInFileManager(const QString& path, QString* error);

} // namespace zimage::ui
