// zimage-studio's command line (ui/startup_options.h), parsed under a QCoreApplication as the tests of a headless
// tool would. Expected values come from the options that ui/startup_options.cpp declares, QCommandLineParser's
// documented behaviour and the CMake project version (ZIMAGE_VERSION).

#include "startup_options.h"

#include <QDir>
#include <QTest>

using zimage::ui::parseStartupOptions;
using zimage::ui::requestedLanguage;
using zimage::ui::StartupParseResult;

class TestStartupOptions : public QObject {
    Q_OBJECT

private:
    static StartupParseResult parse(QStringList arguments) {
        arguments.prepend(QStringLiteral("zimage-studio"));
        return parseStartupOptions(arguments);
    }

    static QString absolute(const QString& path) { return QDir::cleanPath(QDir::current().absoluteFilePath(path)); }

private Q_SLOTS:
    void noArgumentsOpensTheWindowWithTheSettings() {
        const StartupParseResult result = parse({});
        QVERIFY(!result.exitCode);
        QVERIFY(result.options.modelFolder.isEmpty());
        QVERIFY(result.options.outputFolder.isEmpty());
        QVERIFY(result.options.language.isEmpty());
        QVERIFY(result.options.images.isEmpty());
        QVERIFY(result.standardOutput.isEmpty() && result.standardError.isEmpty());
    }

    void anEmptyArgumentListIsNoError() { QVERIFY(!parseStartupOptions({}).exitCode); }

    void versionPrintsTheVersionsAndExits_data() {
        QTest::addColumn<QString>("option");
        QTest::newRow("long") << QStringLiteral("--version");
        QTest::newRow("short") << QStringLiteral("-v");
    }
    void versionPrintsTheVersionsAndExits() {
        QFETCH(QString, option);
        const StartupParseResult result = parse({option, QStringLiteral("--model"), QStringLiteral("somewhere")});
        QCOMPARE(result.exitCode, 0);
        const QStringList lines = result.standardOutput.split(QLatin1Char('\n'));
        QCOMPARE(lines.value(0), QStringLiteral("zimage-studio " ZIMAGE_VERSION));
        QCOMPARE(lines.value(1), QStringLiteral("zimage engine " ZIMAGE_VERSION));
        QVERIFY2(lines.value(2).startsWith(QStringLiteral("LibTorch ")) && lines.value(2).size() > 9,
                 qPrintable(lines.value(2)));
        QCOMPARE(lines.value(3), QStringLiteral("Qt ") + QString::fromLatin1(qVersion()));
        QVERIFY(result.standardError.isEmpty());
    }

    void helpListsEveryOptionAndExits_data() {
        QTest::addColumn<QString>("option");
        QTest::newRow("long") << QStringLiteral("--help");
        QTest::newRow("short") << QStringLiteral("-h");
    }
    void helpListsEveryOptionAndExits() {
        QFETCH(QString, option);
        const StartupParseResult result = parse({option});
        QCOMPARE(result.exitCode, 0);
        for (const char* expected :
             {"--help", "--version", "--model <DIR>", "--output <DIR>", "--lang <CODE>", "[IMAGE...]", "en, zh_CN"})
            QVERIFY2(result.standardOutput.contains(QLatin1String(expected)), expected);
        QVERIFY(result.standardError.isEmpty());
    }

    void aBadCommandLineExitsWithCode2AndSaysWhy_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("named"); // what the message must name
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("frobnicate");
        QTest::newRow("missing value") << QStringList{QStringLiteral("--model")} << QStringLiteral("model");
        QTest::newRow("unknown language")
            << QStringList{QStringLiteral("--lang"), QStringLiteral("fr")} << QStringLiteral("\"fr\"");
        QTest::newRow("Traditional Chinese") << QStringList{QStringLiteral("--lang=zh_TW")} << QStringLiteral("zh_TW");
    }
    void aBadCommandLineExitsWithCode2AndSaysWhy() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, named);
        const StartupParseResult result = parse(arguments);
        QCOMPARE(result.exitCode, zimage::ui::kExitBadCommandLine);
        QCOMPARE(zimage::ui::kExitBadCommandLine, 2);
        QVERIFY2(result.standardError.contains(named), qPrintable(result.standardError));
        QVERIFY2(result.standardError.contains(QStringLiteral("zimage-studio --help")),
                 qPrintable(result.standardError));
        QVERIFY(result.standardOutput.isEmpty());
    }

    void foldersBecomeAbsolutePaths() {
        const StartupParseResult result = parse({QStringLiteral("--model"), QStringLiteral("models/z-image/../turbo"),
                                                 QStringLiteral("--output=/tmp/out/")});
        QVERIFY(!result.exitCode);
        QCOMPARE(result.options.modelFolder, absolute(QStringLiteral("models/turbo")));
        QCOMPARE(result.options.outputFolder, QStringLiteral("/tmp/out"));
    }

    void languageIsNormalised_data() {
        QTest::addColumn<QString>("given");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << QStringLiteral("zh_CN");
        QTest::newRow("zh-CN") << QStringLiteral("zh-CN") << QStringLiteral("zh_CN");
        QTest::newRow("zh") << QStringLiteral("zh") << QStringLiteral("zh_CN");
        QTest::newRow("en") << QStringLiteral("en") << QStringLiteral("en");
        QTest::newRow("en_GB") << QStringLiteral("en_GB") << QStringLiteral("en");
    }
    void languageIsNormalised() {
        QFETCH(QString, given);
        QFETCH(QString, expected);
        const StartupParseResult result = parse({QStringLiteral("--lang"), given});
        QVERIFY(!result.exitCode);
        QCOMPARE(result.options.language, expected);
        QCOMPARE(requestedLanguage({QStringLiteral("zimage-studio"), QStringLiteral("--lang"), given}), expected);
        QCOMPARE(requestedLanguage({QStringLiteral("zimage-studio"), QStringLiteral("--lang=") + given}), expected);
    }

    void requestedLanguageIgnoresEverythingElse() {
        // The program's name is never an option; "--" ends the options; an unknown language is left to the parse.
        QVERIFY(requestedLanguage({QStringLiteral("--lang=zh_CN")}).isEmpty());
        QVERIFY(requestedLanguage({QStringLiteral("zimage-studio"), QStringLiteral("--"), QStringLiteral("--lang"),
                                   QStringLiteral("zh_CN")})
                    .isEmpty());
        QVERIFY(requestedLanguage({QStringLiteral("zimage-studio"), QStringLiteral("--lang"), QStringLiteral("fr")})
                    .isEmpty());
        QVERIFY(requestedLanguage({QStringLiteral("zimage-studio"), QStringLiteral("--lang")}).isEmpty());
        QCOMPARE(requestedLanguage({QStringLiteral("zimage-studio"), QStringLiteral("--model"), QStringLiteral("m"),
                                    QStringLiteral("a.png"), QStringLiteral("--lang"), QStringLiteral("zh")}),
                 QStringLiteral("zh_CN"));
    }

    void positionalArgumentsAreImagesInOrder() {
        const StartupParseResult result =
            parse({QStringLiteral("b.png"), QStringLiteral("--lang"), QStringLiteral("en"),
                   QStringLiteral("/data/a.png"), QStringLiteral("--"), QStringLiteral("--odd-name.png")});
        QVERIFY(!result.exitCode);
        QCOMPARE(result.options.images, (QStringList{absolute(QStringLiteral("b.png")), QStringLiteral("/data/a.png"),
                                                     absolute(QStringLiteral("--odd-name.png"))}));
        QCOMPARE(result.options.language, QStringLiteral("en"));
    }
};

QTEST_GUILESS_MAIN(TestStartupOptions)
#include "test_startup_options.moc"
