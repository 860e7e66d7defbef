#pragma once
// The command line of zimage-studio. Parsing needs only a QCoreApplication (for the translations of the help text),
// never a window, so --help and --version work without a display and are tested headless.

#include <QString>
#include <QStringList>

#include <optional>

namespace zimage::ui {

// What the command line asks of the window that opens. Empty fields mean "as the settings say".
struct StartupOptions {
    QString modelFolder;  // --model DIR
    QString outputFolder; // --output DIR
    QString language;     // --lang CODE (one of availableLanguages()' codes); overrides the setting
    QStringList images;   // PNG files to open, whose embedded parameters are restored
};

struct StartupParseResult {
    StartupOptions options;
    // Set when the program should end now instead of opening the window: 0 after --help or --version, 2 for a
    // command line it does not understand.
    std::optional<int> exitCode;
    QString standardOutput; // printed before exiting: the help or the version text
    QString standardError;  // printed before exiting: what is wrong with the command line
};

// The exit code for a command line that is not understood (as zimage-cli's "invalid input").
inline constexpr int kExitBadCommandLine = 2;

// `arguments` as QCoreApplication::arguments() gives them: the program's name first.
StartupParseResult parseStartupOptions(const QStringList& arguments);

// The language --lang asks for (a code of availableLanguages()), found without parsing the rest: the translations must
// be installed before parseStartupOptions() for its help and messages to be translated. Empty when --lang is absent
// or names no available language (parseStartupOptions() reports the latter).
QString requestedLanguage(const QStringList& arguments);

// "zimage-studio 0.1.0" and the versions of the engine, LibTorch and Qt, one per line.
QString versionText();

} // namespace zimage::ui
