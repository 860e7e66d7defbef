// zimage-studio: the desktop application (DESIGN.md, "UI"). Sets the application's identity, answers --help and
// --version, installs the translations of the chosen language, starts the log and opens the main window.

#include "app_settings.h"
#include "app_translations.h"
#include "logging.h"
#include "main_window.h"
#include "startup_options.h"

#include <QApplication>
#include <QIcon>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>

namespace {

// Whether the command line asks only for text (--help, --version). Decided before QApplication exists: that needs a
// display, which a terminal over ssh or a package check does not have.
bool asksOnlyForText(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        for (const char* option : {"-h", "--help", "-v", "--version"}) {
            if (std::strcmp(argv[i], option) == 0)
                return true;
        }
    }
    return false;
}

void setApplicationIdentity() {
    // Organization and application name make QSettings' and QStandardPaths' folders ~/.config/zimage-studio and
    // ~/.local/share/zimage-studio; the desktop file name lets Wayland compositors find the icon and the window's app.
    QCoreApplication::setOrganizationName(QStringLiteral("zimage-studio"));
    QCoreApplication::setApplicationName(QStringLiteral("zimage-studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ZIMAGE_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Z-Image Studio"));
    QGuiApplication::setDesktopFileName(QStringLiteral(ZIMAGE_APP_ID));
}

// The installed icon theme's icon when there is one (it follows the theme's sizes), else the copy built in.
QIcon applicationIcon() {
    QIcon builtIn;
    for (int size : {16, 32, 48, 64, 128, 256, 512})
        builtIn.addFile(QStringLiteral(":/icons/%1.png").arg(size), QSize(size, size));
    return QIcon::fromTheme(QStringLiteral(ZIMAGE_APP_ID), builtIn);
}

void print(std::FILE* stream, const QString& text) {
    std::fputs(text.toLocal8Bit().constData(), stream);
    std::fflush(stream);
}

} // namespace

int main(int argc, char** argv) {
    if (asksOnlyForText(argc, argv))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    setApplicationIdentity();

    zimage::ui::AppSettings settings;
    const QStringList arguments = QCoreApplication::arguments();
    // --lang overrides the settings' language (empty: the system's), already for the help text.
    const QString language = zimage::ui::requestedLanguage(arguments);
    zimage::ui::installTranslations(app, language.isEmpty() ? settings.language() : language);
    const zimage::ui::StartupParseResult parsed = zimage::ui::parseStartupOptions(arguments);
    if (parsed.exitCode) {
        print(stdout, parsed.standardOutput);
        print(stderr, parsed.standardError);
        return *parsed.exitCode;
    }

    // Only a session that opens the window writes the log (not --help), in the folder of the history.
    const QString logFile = zimage::studio::setUpLogging(zimage::ui::MainWindow::dataFolder());
    spdlog::get("app")->info("zimage-studio {} started; log file {}", ZIMAGE_VERSION, logFile.toStdString());

    QApplication::setWindowIcon(applicationIcon());
    zimage::ui::MainWindow window(settings, parsed.options);
    window.show();
    return QApplication::exec();
}
