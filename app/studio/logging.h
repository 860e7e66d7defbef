#pragma once
// zimage-studio's log (STYLE.md, "Logging"): the engine's and the UI's spdlog loggers and Qt's own messages go to
// stderr and to a rotating file in the data folder, the file that error messages ask users to attach to a report.

#include <QString>

namespace zimage::studio {

// Creates the loggers "zimage" (the default), "engine", "io", "ui" and "app" over one stderr sink and one rotating
// file, `dataFolder`/zimage-studio.log, and forwards Qt's messages to "ui". Returns the log file's path, or an empty
// string when the file cannot be created (stderr only: the app runs on). Call once, before any thread starts.
QString setUpLogging(const QString& dataFolder);

} // namespace zimage::studio
