// Screenshots of the real window under Xvfb (an X server, so fonts, styles and window sizes are those a desktop gets):
// the Create tab after a generation, the Gallery, the History and the Settings dialog, in English and in Chinese,
// written as PNGs to <build>/screenshots for a person to look at. The test checks what a screenshot can prove
// without a person: every grab has the window's size and is not one flat colour, and the Chinese window's tab titles
// differ from the English ones (the translation was loaded). The engine runs the zimage-tiny fixture on the CPU.

#include "app_settings.h"
#include "app_translations.h"
#include "fixture.h"
#include "generation_form.h"
#include "main_window.h"
#include "settings_dialog.h"

#include <QDir>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace zimage;
using namespace zimage::ui;

namespace {

constexpr int kTimeoutMs = 120000;

// True when the image has more than one colour: a blank grab (nothing painted) is a single colour.
bool hasContent(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    const QRgb first = rgb.pixel(0, 0);
    for (int y = 0; y < rgb.height(); y += 3)
        for (int x = 0; x < rgb.width(); x += 3)
            if (rgb.pixel(x, y) != first)
                return true;
    return false;
}

} // namespace

class TestScreenshots : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void screenshots_data();
    void screenshots();

private:
    void save(const QImage& image, const QString& language, const QString& name);

    QTemporaryDir m_home;
    QDir m_outputDir;
    QStringList m_englishTabs;
};

void TestScreenshots::initTestCase() {
    QVERIFY(m_home.isValid());
    qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.path() + QStringLiteral("/data")));
    qputenv("XDG_CACHE_HOME", QFile::encodeName(m_home.path() + QStringLiteral("/cache")));
    m_outputDir = QDir(QStringLiteral(ZIMAGE_SCREENSHOT_DIR));
    QVERIFY(m_outputDir.mkpath(QStringLiteral(".")));
}

void TestScreenshots::save(const QImage& image, const QString& language, const QString& name) {
    QVERIFY(!image.isNull());
    QVERIFY2(hasContent(image), qPrintable(name + QStringLiteral(" is blank")));
    const QString path = m_outputDir.filePath(QStringLiteral("%1-%2.png").arg(name, language));
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo("wrote %s", qPrintable(path));
}

void TestScreenshots::screenshots_data() {
    QTest::addColumn<QString>("language");
    QTest::newRow("en") << QStringLiteral("en");
    QTest::newRow("zh_CN") << QStringLiteral("zh_CN");
}

void TestScreenshots::screenshots() {
    QFETCH(QString, language);
    QCOMPARE(installTranslations(*qApp, language), language);

    AppSettings settings(m_home.path() + QStringLiteral("/settings-%1.ini").arg(language));
    settings.setModelFolder(QString::fromStdString((test::fixtureDir() / "model").string()));
    settings.setDevice(DeviceChoice::Cpu);
    settings.setPrecision(Precision::Fp32);
    settings.setOutputFolder(m_home.path() + QStringLiteral("/out-%1").arg(language));
    settings.setLanguage(language);

    MainWindow window(settings, StartupOptions{});
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.isModelReady(), kTimeoutMs);

    GenerationRequest request;
    request.prompts = {language == QLatin1String("zh_CN") ? "雪山下的小木屋，黄昏，暖色灯光"
                                                          : "a wooden cabin below snowy mountains at dusk"};
    request.seed = 7;
    request.steps = 4;
    request.width = 192;
    request.height = 128;
    window.form()->setRequest(request);
    QSignalSpy saved(&window, &MainWindow::jobSaved);
    auto* generate = window.findChild<QPushButton*>(QStringLiteral("generateButton"));
    QVERIFY(generate);
    QTRY_VERIFY(generate->isEnabled());
    QTest::mouseClick(generate, Qt::LeftButton);
    QVERIFY(saved.wait(kTimeoutMs));
    QTest::qWait(300); // the status bar's next memory sample and the repaint

    QStringList tabs;
    for (int i = 0; i < window.tabs()->count(); ++i)
        tabs << window.tabs()->tabText(i);
    if (language == QLatin1String("en"))
        m_englishTabs = tabs;
    else
        QVERIFY2(tabs != m_englishTabs, qPrintable(tabs.join(QLatin1Char(','))));

    window.tabs()->setCurrentIndex(0);
    QTest::qWait(100);
    save(window.grab().toImage(), language, QStringLiteral("main-window"));
    window.tabs()->setCurrentIndex(1);
    QTest::qWait(1500); // thumbnails are made off the GUI thread
    save(window.grab().toImage(), language, QStringLiteral("gallery"));
    window.tabs()->setCurrentIndex(2);
    QTest::qWait(1500);
    save(window.grab().toImage(), language, QStringLiteral("history"));

    SettingsDialog dialog(settings, &window);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::qWait(300);
    save(dialog.grab().toImage(), language, QStringLiteral("settings"));
    dialog.reject();
}

QTEST_MAIN(TestScreenshots)
#include "test_screenshots.moc"
