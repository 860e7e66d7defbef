// The built zimage-studio, run as a user runs it: --version and --help work without any display (over ssh, in a
// package check), a bad option exits with 2, and the window starts and stays up. Expected texts come from
// ui/startup_options.cpp, the CMake project version (ZIMAGE_VERSION) and translations/zimage-studio_zh_CN.ts.

#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int exitCode = -1;
    QString standardOutput;
    QString standardError;
};

// No display of any kind and no platform chosen: what a terminal without a desktop has. Settings and data go to `home`.
QProcessEnvironment environmentWithoutDisplay(const QString& home) {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        environment.remove(QString::fromLatin1(name));
    environment.insert(QStringLiteral("HOME"), home);
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    environment.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/cache"));
    environment.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
    return environment;
}

} // namespace

class TestStudioExecutable : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_home;

    Run run(const QStringList& arguments, const QProcessEnvironment& environment) {
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(ZIMAGE_STUDIO_PATH), arguments);
        Run result;
        if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit) {
            process.kill();
            process.waitForFinished();
            return result;
        }
        result.exitCode = process.exitCode();
        result.standardOutput = QString::fromUtf8(process.readAllStandardOutput());
        result.standardError = QString::fromUtf8(process.readAllStandardError());
        return result;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_home.isValid()); }

    void versionNeedsNoDisplay() {
        const Run result = run({QStringLiteral("--version")}, environmentWithoutDisplay(m_home.path()));
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.standardOutput.startsWith(QStringLiteral("zimage-studio " ZIMAGE_VERSION "\n")),
                 qPrintable(result.standardOutput));
        QVERIFY(result.standardOutput.contains(QStringLiteral("\nLibTorch ")));
        QVERIFY(result.standardOutput.contains(QStringLiteral("\nQt 6.")));
    }

    void helpNeedsNoDisplay() {
        const Run result = run({QStringLiteral("--help")}, environmentWithoutDisplay(m_home.path()));
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.standardOutput.contains(QStringLiteral("--model <DIR>")), qPrintable(result.standardOutput));
        QVERIFY(result.standardOutput.contains(QStringLiteral("--lang <CODE>")));
    }

    void helpSpeaksTheLanguageAskedFor() {
        const Run result = run({QStringLiteral("--lang"), QStringLiteral("zh_CN"), QStringLiteral("-h")},
                               environmentWithoutDisplay(m_home.path()));
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.standardOutput.contains(QStringLiteral("显示此帮助并退出。")),
                 qPrintable(result.standardOutput));
    }

    void aBadOptionExitsWith2() {
        QProcessEnvironment environment = environmentWithoutDisplay(m_home.path());
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        const Run result = run({QStringLiteral("--no-such-option")}, environment);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.standardError.contains(QStringLiteral("no-such-option")), qPrintable(result.standardError));
        QVERIFY(result.standardOutput.isEmpty());
    }

    // The window opens without a model (the first-run page) and keeps running until it is told to quit. A start-up
    // failure (a missing resource, an exception, a crash) ends the process within the wait.
    void theWindowStartsAndStaysUp() {
        QProcessEnvironment environment = environmentWithoutDisplay(m_home.path());
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(ZIMAGE_STUDIO_PATH),
                      {QStringLiteral("--model"), m_home.filePath(QStringLiteral("no-model-here")),
                       QStringLiteral("--output"), m_home.filePath(QStringLiteral("images"))});
        QVERIFY(process.waitForStarted());
        const bool ended = process.waitForFinished(5000);
        const QString errors = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(!ended,
                 qPrintable(QStringLiteral("zimage-studio ended with %1:\n%2").arg(process.exitCode()).arg(errors)));
        process.terminate();
        QVERIFY(process.waitForFinished(10000));

        // The session's log: the data folder's zimage-studio.log (app/studio/logging.h).
        QFile log(m_home.filePath(QStringLiteral("data/zimage-studio/zimage-studio.log")));
        QVERIFY2(log.open(QIODevice::ReadOnly), qPrintable(log.fileName()));
        QVERIFY(log.readAll().contains("[app] [info] zimage-studio " ZIMAGE_VERSION " started"));
    }
};

QTEST_GUILESS_MAIN(TestStudioExecutable)
#include "test_studio_executable.moc"
