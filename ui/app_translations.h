#pragma once
// The interface language: our translations (translations/*.ts, compiled and embedded under :/i18n by the build) and
// Qt's own (qtbase_*.qm from Qt's translations folder, Debian's qt6-translations-l10n), for the standard buttons and
// dialogs. English is the source language; its .qm holds only the plural forms.

#include <QList>
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace zimage::ui {

struct LanguageChoice {
    QString code;       // "en", "zh_CN": what the settings store and --lang takes
    QString nativeName; // the language's name in itself ("English", "简体中文"), for the settings' language list
};

// The languages the interface is translated into, English first.
QList<LanguageChoice> availableLanguages();

// The code of the available language that the locale name `name` denotes ("zh_CN", "zh-CN", "zh-Hans-CN" and "zh"
// give "zh_CN"; "en_US" gives "en"), or an empty string when there is none (Traditional Chinese among them).
QString matchLanguage(const QString& name);

// The language to show: `requested` when it denotes an available language, else the first of `uiLanguages` (the
// user's preferences, as QLocale::uiLanguages() lists them) that does, else English.
QString resolveLanguage(const QString& requested, const QStringList& uiLanguages);

// Installs the translations of resolveLanguage(language, QLocale::system().uiLanguages()) into `app`, replacing any
// that an earlier call installed, and returns that language's code. An empty `language` follows the system. Qt's own
// translations are optional (a missing file is logged); our own are embedded and always load.
QString installTranslations(QCoreApplication& app, const QString& language);

} // namespace zimage::ui
