// zimage-studio's log (app/studio/logging.h): spdlog's loggers and Qt's messages reach the rotating file, and a folder
// that cannot hold the file leaves stderr logging working. Expected lines follow spdlog's default pattern
// ("[logger] [level] text").

#include "logging.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <spdlog/spdlog.h>

class TestStudioLogging : public QObject {
    Q_OBJECT

private:
    static QString read(const QString& path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

private Q_SLOTS:
    void cleanup() {
        qInstallMessageHandler(nullptr);
        spdlog::drop_all();
    }

    void loggersAndQtMessagesReachTheFile() {
        QTemporaryDir home;
        const QString folder = home.filePath(QStringLiteral("data/zimage-studio")); // created by setUpLogging
        const QString path = zimage::studio::setUpLogging(folder);
        QCOMPARE(path, folder + QStringLiteral("/zimage-studio.log"));
        for (const char* name : {"engine", "io", "ui", "app"})
            QVERIFY2(spdlog::get(name), name);

        spdlog::get("engine")->warn("engine line {}", 1);
        spdlog::warn("default logger line");
        qWarning("Qt warning line");
        const QString text = read(path); // warnings are flushed at once
        QVERIFY2(text.contains(QStringLiteral("[engine] [warning] engine line 1")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("[zimage] [warning] default logger line")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("[ui] [warning] Qt warning line")), qPrintable(text));
    }

    void aFolderThatCannotBeCreatedLeavesStderr() {
        QTemporaryDir home;
        QFile blocker(home.filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        // A folder inside a regular file cannot be made.
        QVERIFY(zimage::studio::setUpLogging(home.filePath(QStringLiteral("file/zimage-studio"))).isEmpty());
        QVERIFY(spdlog::get("ui"));
        qWarning("still logged to stderr");
    }
};

QTEST_GUILESS_MAIN(TestStudioLogging)
#include "test_studio_logging.moc"
