#include "app_translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>
#include <QtDebug>

namespace zimage::ui {

namespace {

constexpr auto kEnglish = "en";
// Marks the translators this file installs, so that a later call finds and replaces them.
constexpr auto kTranslatorObjectName = "zimage-studio translator";

void removeOurTranslators(QCoreApplication& app) {
    const auto translators =
        app.findChildren<QTranslator*>(QString::fromLatin1(kTranslatorObjectName), Qt::FindDirectChildrenOnly);
    for (QTranslator* translator : translators) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
}

bool installTranslator(QCoreApplication& app, const QString& fileName, const QString& directory) {
    auto* translator = new QTranslator(&app);
    translator->setObjectName(QString::fromLatin1(kTranslatorObjectName));
    if (translator->load(fileName, directory) && QCoreApplication::installTranslator(translator))
        return true;
    delete translator;
    return false;
}

} // namespace

QList<LanguageChoice> availableLanguages() {
    // Native names are not translated: a user who cannot read the current language still finds their own.
    return {{QString::fromLatin1(kEnglish), QStringLiteral("English")},
            {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
}

QString matchLanguage(const QString& name) {
    if (name.trimmed().isEmpty())
        return {};
    // QLocale fills in the likely script and territory ("zh" is Simplified Chinese in China, "zh-TW" Traditional).
    const QLocale locale(name.trimmed());
    switch (locale.language()) {
    case QLocale::English:
        return QString::fromLatin1(kEnglish);
    case QLocale::Chinese:
        // Simplified characters would be the wrong script for Taiwan, Hong Kong and Macau; English is the fallback.
        return locale.script() == QLocale::TraditionalChineseScript ? QString() : QStringLiteral("zh_CN");
    default:
        return {};
    }
}

QString resolveLanguage(const QString& requested, const QStringList& uiLanguages) {
    if (const QString code = matchLanguage(requested); !code.isEmpty())
        return code;
    for (const QString& preferred : uiLanguages) {
        if (const QString code = matchLanguage(preferred); !code.isEmpty())
            return code;
    }
    return QString::fromLatin1(kEnglish);
}

QString installTranslations(QCoreApplication& app, const QString& language) {
    const QString code = resolveLanguage(language, QLocale::system().uiLanguages());
    removeOurTranslators(app);

    // Embedded by qt_add_translations (translations/CMakeLists.txt); a failure here is a build error, not the user's.
    if (!installTranslator(app, QStringLiteral("zimage-studio_") + code, QStringLiteral(":/i18n")))
        qWarning("The embedded translation %s could not be loaded", qUtf8Printable(code));
    // Qt's own texts are English already; for another language its file is optional (a Recommends of the package).
    const QString qtTranslations = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    if (code != QLatin1String(kEnglish) && !installTranslator(app, QStringLiteral("qtbase_") + code, qtTranslations))
        qInfo("Qt's own translation qtbase_%s.qm is not in %s (package qt6-translations-l10n): Qt's standard "
              "buttons stay in English",
              qUtf8Printable(code), qUtf8Printable(qtTranslations));

    // Dates and numbers follow the chosen language when it differs from the system's; otherwise the system's own
    // locale (en_GB rather than plain "en", say) keeps its formats.
    const QLocale system = QLocale::system();
    QLocale::setDefault(system.language() == QLocale(code).language() ? system : QLocale(code));
    return code;
}

} // namespace zimage::ui
