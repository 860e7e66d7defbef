// The interface language (ui/app_translations.h): which language a setting and the system's preferences select, and
// that the embedded translations load and translate. Expected texts come from translations/*.ts (read here as the
// build compiled them) and from Qt's qtbase_zh_CN.qm (QPlatformTheme's "Cancel" is "取消" there).

#include "app_translations.h"

#include <QCoreApplication>
#include <QFile>
#include <QLibraryInfo>
#include <QLocale>
#include <QTest>
#include <QXmlStreamReader>

using zimage::ui::installTranslations;
using zimage::ui::matchLanguage;
using zimage::ui::resolveLanguage;

namespace {

// One <message> of a .ts file.
struct TsMessage {
    QString context;
    QString source;
    QString comment;          // the disambiguation, part of the lookup key
    QStringList translations; // one per plural form, or the single translation
    bool numerus = false;
    bool unfinished = false;
};

QList<TsMessage> readTs(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<TsMessage> messages;
    QString context;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.name() == QLatin1String("message")) {
            TsMessage message;
            message.context = context;
            message.numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            messages.append(message);
        } else if (xml.name() == QLatin1String("source") && !messages.isEmpty()) {
            messages.last().source = xml.readElementText();
        } else if (xml.name() == QLatin1String("comment") && !messages.isEmpty()) {
            messages.last().comment = xml.readElementText();
        } else if (xml.name() == QLatin1String("translation") && !messages.isEmpty()) {
            TsMessage& message = messages.last();
            message.unfinished = xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
            if (!message.numerus)
                message.translations.append(xml.readElementText());
        } else if (xml.name() == QLatin1String("numerusform") && !messages.isEmpty()) {
            messages.last().translations.append(xml.readElementText());
        }
    }
    return xml.hasError() ? QList<TsMessage>{} : messages;
}

QString translate(const TsMessage& message, int n) {
    const QByteArray comment = message.comment.toUtf8();
    return QCoreApplication::translate(message.context.toUtf8().constData(), message.source.toUtf8().constData(),
                                       comment.isEmpty() ? nullptr : comment.constData(), n);
}

QString tsPath(const char* language) {
    return QStringLiteral(ZIMAGE_TRANSLATIONS_DIR "/zimage-studio_%1.ts").arg(QLatin1String(language));
}

// A string of ui/startup_options.cpp, whose Chinese translations/zimage-studio_zh_CN.ts gives.
constexpr auto kContext = "zimage::ui::CommandLine";
constexpr auto kSource = "Show this help and exit.";

} // namespace

class TestAppTranslations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void englishComesFirstAndChineseHasItsNativeName() {
        const auto languages = zimage::ui::availableLanguages();
        QCOMPARE(languages.size(), 2);
        QCOMPARE(languages[0].code, QStringLiteral("en"));
        QCOMPARE(languages[0].nativeName, QStringLiteral("English"));
        QCOMPARE(languages[1].code, QStringLiteral("zh_CN"));
        QCOMPARE(languages[1].nativeName, QStringLiteral("简体中文"));
    }

    void localeNamesMatchTheAvailableLanguages_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        // QLocale's likely subtags: "zh" and "zh_SG" are written in Simplified characters, "zh_TW" and "zh_HK" in
        // Traditional ones.
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << QStringLiteral("zh_CN");
        QTest::newRow("zh-CN") << QStringLiteral("zh-CN") << QStringLiteral("zh_CN");
        QTest::newRow("zh-Hans-CN") << QStringLiteral("zh-Hans-CN") << QStringLiteral("zh_CN");
        QTest::newRow("zh") << QStringLiteral("zh") << QStringLiteral("zh_CN");
        QTest::newRow("zh_SG") << QStringLiteral("zh_SG") << QStringLiteral("zh_CN");
        QTest::newRow("zh_TW") << QStringLiteral("zh_TW") << QString();
        QTest::newRow("zh-Hant-HK") << QStringLiteral("zh-Hant-HK") << QString();
        QTest::newRow("en") << QStringLiteral("en") << QStringLiteral("en");
        QTest::newRow("en-US") << QStringLiteral("en-US") << QStringLiteral("en");
        QTest::newRow("en_GB") << QStringLiteral("en_GB") << QStringLiteral("en");
        QTest::newRow("de_DE") << QStringLiteral("de_DE") << QString();
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("C") << QStringLiteral("C") << QString();
    }
    void localeNamesMatchTheAvailableLanguages() {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        QCOMPARE(matchLanguage(name), expected);
    }

    void theSettingWinsThenTheSystemThenEnglish() {
        const QStringList chineseSecond = {QStringLiteral("de-DE"), QStringLiteral("de"), QStringLiteral("zh-CN")};
        QCOMPARE(resolveLanguage(QString(), chineseSecond), QStringLiteral("zh_CN"));
        QCOMPARE(resolveLanguage(QStringLiteral("en"), chineseSecond), QStringLiteral("en"));
        QCOMPARE(resolveLanguage(QStringLiteral("zh_CN"), {QStringLiteral("en-US")}), QStringLiteral("zh_CN"));
        // A setting naming no available language (an older version's, or edited by hand) follows the system.
        QCOMPARE(resolveLanguage(QStringLiteral("fr"), chineseSecond), QStringLiteral("zh_CN"));
        QCOMPARE(resolveLanguage(QString(), {QStringLiteral("fr-FR"), QStringLiteral("zh-TW")}), QStringLiteral("en"));
        QCOMPARE(resolveLanguage(QString(), {}), QStringLiteral("en"));
    }

    void chineseLoadsAndTranslates() {
        QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        QCOMPARE(QCoreApplication::translate(kContext, kSource), QStringLiteral("显示此帮助并退出。"));
        QCOMPARE(QLocale().language(), QLocale::Chinese);
        if (!QFile::exists(QLibraryInfo::path(QLibraryInfo::TranslationsPath) + QStringLiteral("/qtbase_zh_CN.qm")))
            QSKIP("Qt's own Chinese translation is not installed (package qt6-translations-l10n)");
        QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("取消"));
    }

    void englishReplacesChinese() {
        installTranslations(*QCoreApplication::instance(), QStringLiteral("zh_CN"));
        QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
        QCOMPARE(QCoreApplication::translate(kContext, kSource), QString::fromLatin1(kSource));
        QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Cancel"));
        QCOMPARE(QLocale().language(), QLocale::English);
    }

    // English is the source language, but "%n image(s)" must read "1 image" and "2 images": the English .ts
    // carries the plural forms of every numerus string, and the embedded .qm applies them.
    void englishHasEveryPluralForm() {
        const QList<TsMessage> messages = readTs(tsPath("en"));
        QVERIFY2(!messages.isEmpty(), qPrintable(tsPath("en")));
        QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
        for (const TsMessage& message : messages) {
            QVERIFY2(message.numerus, qPrintable(message.source)); // lupdate -pluralonly keeps only these
            QCOMPARE(message.translations.size(), 2);
            QVERIFY2(!message.unfinished && !message.translations[0].isEmpty() && !message.translations[1].isEmpty(),
                     qPrintable(QStringLiteral("No English plural forms for \"%1\"").arg(message.source)));
            QString one = message.translations[0];
            QString two = message.translations[1];
            QCOMPARE(translate(message, 1), one.replace(QStringLiteral("%n"), QStringLiteral("1")));
            QCOMPARE(translate(message, 2), two.replace(QStringLiteral("%n"), QStringLiteral("2")));
        }
    }

    // "Complete, natural Chinese": every string of the .ts is translated and reviewed (lupdate marks new strings and
    // its guesses "unfinished"); the embedded .qm gives each translation.
    void chineseIsComplete() {
        const QList<TsMessage> messages = readTs(tsPath("zh_CN"));
        QVERIFY2(messages.size() > 20, qPrintable(tsPath("zh_CN")));
        QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        QStringList untranslated;
        for (const TsMessage& message : messages) {
            if (message.unfinished || message.translations.isEmpty() || message.translations.contains(QString())) {
                untranslated.append(message.context + QStringLiteral(": ") + message.source);
                continue;
            }
            // Chinese has one plural form.
            QString expected = message.translations.constFirst();
            if (message.numerus)
                expected.replace(QStringLiteral("%n"), QStringLiteral("3"));
            QCOMPARE(translate(message, message.numerus ? 3 : -1), expected);
        }
        QVERIFY2(untranslated.isEmpty(), qPrintable(QStringLiteral("Not translated (run update_translations, then "
                                                                   "translate in Qt Linguist):\n") +
                                                    untranslated.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestAppTranslations)
#include "test_app_translations.moc"
