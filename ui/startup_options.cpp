#include "startup_options.h"

#include "app_translations.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QtGlobal>

namespace zimage::ui {

namespace {

// The options' texts live in one translation context, "zimage::ui::CommandLine", for lupdate and the translators.
class CommandLine {
    Q_DECLARE_TR_FUNCTIONS(zimage::ui::CommandLine)

public:
    CommandLine()
        : m_help({QStringLiteral("h"), QStringLiteral("help")}, tr("Show this help and exit."))
        , m_version({QStringLiteral("v"), QStringLiteral("version")},
                    tr("Show the versions of Z-Image Studio, its engine, LibTorch and Qt, and exit."))
        , m_model(QStringLiteral("model"),
                  tr("Load the model from DIR (a diffusers folder, a ComfyUI folder or the Hugging Face cache) instead "
                     "of the one in the settings."),
                  tr("DIR"))
        , m_output(QStringLiteral("output"), tr("Save the generated images in DIR instead of the settings' folder."),
                   tr("DIR"))
        , m_language(QStringLiteral("lang"),
                     tr("Show the interface in language CODE (%1) instead of the settings' language.")
                         .arg(languageCodes().join(QStringLiteral(", "))),
                     tr("CODE")) {
        m_parser.setApplicationDescription(
            tr("Generate images on your own computer with Z-Image-Turbo. Images given on the command line are "
               "opened and their generation parameters restored."));
        m_parser.addOptions({m_help, m_version, m_model, m_output, m_language});
        m_parser.addPositionalArgument(QStringLiteral("images"), tr("PNG images made by Z-Image Studio to open."),
                                       tr("[IMAGE...]"));
    }

    StartupParseResult parse(const QStringList& arguments) {
        StartupParseResult result;
        // QCommandLineParser skips the first argument as the program's name without looking: never give it none.
        if (arguments.isEmpty())
            return result;
        if (!m_parser.parse(arguments))
            return failure(m_parser.errorText());
        if (m_parser.isSet(m_help))
            return success(m_parser.helpText());
        if (m_parser.isSet(m_version))
            return success(versionText());

        const QString language = m_parser.value(m_language);
        if (!language.isEmpty()) {
            result.options.language = matchLanguage(language);
            if (result.options.language.isEmpty())
                return failure(tr("There is no translation for language \"%1\". Use one of: %2.")
                                   .arg(language, languageCodes().join(QStringLiteral(", "))));
        }
        // Absolute paths: the window may hand them to other threads and folders after the working folder changed.
        result.options.modelFolder = absolutePath(m_parser.value(m_model));
        result.options.outputFolder = absolutePath(m_parser.value(m_output));
        for (const QString& image : m_parser.positionalArguments())
            result.options.images.append(absolutePath(image));
        return result;
    }

private:
    static QStringList languageCodes() {
        QStringList codes;
        for (const LanguageChoice& choice : availableLanguages())
            codes.append(choice.code);
        return codes;
    }

    static QString absolutePath(const QString& path) {
        return path.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    }

    static StartupParseResult success(const QString& text) {
        StartupParseResult result;
        result.exitCode = 0;
        result.standardOutput = text;
        return result;
    }

    static StartupParseResult failure(const QString& error) {
        StartupParseResult result;
        result.exitCode = kExitBadCommandLine;
        result.standardError = tr("zimage-studio: %1\nRun \"zimage-studio --help\" to see the options.\n").arg(error);
        return result;
    }

    QCommandLineParser m_parser;
    QCommandLineOption m_help;
    QCommandLineOption m_version;
    QCommandLineOption m_model;
    QCommandLineOption m_output;
    QCommandLineOption m_language;
};

} // namespace

StartupParseResult parseStartupOptions(const QStringList& arguments) {
    return CommandLine().parse(arguments);
}

QString requestedLanguage(const QStringList& arguments) {
    const QString option = QStringLiteral("--lang");
    const QString optionWithValue = QStringLiteral("--lang=");
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString& argument = arguments.at(i);
        if (argument == QLatin1String("--")) // the end of the options, as QCommandLineParser reads it
            break;
        if (argument == option && i + 1 < arguments.size())
            return matchLanguage(arguments.at(i + 1));
        if (argument.startsWith(optionWithValue))
            return matchLanguage(argument.mid(optionWithValue.size()));
    }
    return {};
}

QString versionText() {
    // Product names and version numbers only, so scripts and bug reports read the same in every language. The engine
    // is built from the same source tree, so it has the application's version; LibTorch's is the one compiled against.
    return QStringLiteral("zimage-studio %1\nzimage engine %1\nLibTorch %2\nQt %3\n")
        .arg(QStringLiteral(ZIMAGE_VERSION), QStringLiteral(ZIMAGE_LIBTORCH_VERSION), QString::fromLatin1(qVersion()));
}

} // namespace zimage::ui
