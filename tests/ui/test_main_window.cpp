// The whole window with the real engine on the zimage-tiny fixture, on the CPU (float32), at 128x96 with a few steps:
// Generate -> progress -> preview -> result saved and recorded; cancel mid-run; the PNG's metadata round trip with a
// Chinese prompt; drag-and-drop restore of an A1111 "parameters" text; an unwritable output folder; and, after a
// restart (a new window over the same settings and data), the history and gallery are there and "regenerate"
// reproduces the image pixel for pixel. Expected values: the request the test put in the form; the pixels of the PNG
// the first run wrote (the engine is deterministic on the CPU for a given request); the A1111 text written here.

#include "app_settings.h"
#include "engine_worker.h"
#include "fixture.h"
#include "gallery_files.h"
#include "generation_form.h"
#include "history_store.h"
#include "main_window.h"
#include "output/png_file.h"
#include "result_view.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QDir>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>

using namespace zimage;
using namespace zimage::ui;

namespace {

constexpr int kTimeoutMs = 120000;

GenerationRequest smallRequest(const std::string& prompt, std::uint64_t seed, int steps) {
    GenerationRequest request;
    request.prompts = {prompt};
    request.seed = seed;
    request.steps = steps;
    request.width = 128;
    request.height = 96;
    return request;
}

QStringList pngsIn(const QString& folder) {
    return QDir(folder).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
}

QImage rgbImage(const QString& path) {
    return QImage(path).convertToFormat(QImage::Format_RGB888);
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void generateShowsProgressPreviewAndSavesTheResult();
    void cancelMidRunSavesNothing();
    void droppedPngRestoresItsParameters();
    void droppedFileWithoutParametersIsExplained();
    void unwritableOutputFolderKeepsTheImage();
    void afterARestartRegenerateReproducesThePixels();
    void commandLineFoldersAreNotSaved();
    void cleanupTestCase();

private:
    void openWindow();
    void clickGenerate();
    QString outputFolder() const { return m_home.path() + QStringLiteral("/out"); }

    QTemporaryDir m_home;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    QString m_firstImage;
};

void TestMainWindow::initTestCase() {
    QVERIFY(m_home.isValid());
    // Data (history, generation log), cache (thumbnails) and the trash in the test's own folder.
    qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.path() + QStringLiteral("/data")));
    qputenv("XDG_CACHE_HOME", QFile::encodeName(m_home.path() + QStringLiteral("/cache")));
    m_settings = std::make_unique<AppSettings>(m_home.path() + QStringLiteral("/settings.ini"));
    m_settings->setModelFolder(QString::fromStdString((test::fixtureDir() / "model").string()));
    m_settings->setDevice(DeviceChoice::Cpu);
    m_settings->setPrecision(Precision::Fp32);
    m_settings->setOutputFolder(outputFolder());
    m_settings->setPreviewEnabled(true);
    openWindow();
}

void TestMainWindow::openWindow() {
    m_window = std::make_unique<MainWindow>(*m_settings, StartupOptions{});
    m_window->show();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->isModelReady(), kTimeoutMs);
}

void TestMainWindow::clickGenerate() {
    auto* generate = m_window->findChild<QPushButton*>(QStringLiteral("generateButton"));
    QVERIFY(generate);
    QTRY_VERIFY(generate->isEnabled());
    QTest::mouseClick(generate, Qt::LeftButton);
}

void TestMainWindow::generateShowsProgressPreviewAndSavesTheResult() {
    int previews = 0;
    int lastStep = 0;
    const auto counting = connect(m_window->worker(), &EngineWorker::stepProgress, this,
                                  [&](quint64, int step, int, double, double, const QImage& preview) {
                                      lastStep = step;
                                      previews += preview.isNull() ? 0 : 1;
                                  });
    const auto disconnectAtEnd = qScopeGuard([&] { disconnect(counting); });
    const std::string prompt = "一只红狐狸站在雪地里 (a red fox in the snow)";
    m_window->form()->setRequest(smallRequest(prompt, 42, 3));
    QSignalSpy saved(m_window.get(), &MainWindow::jobSaved);
    clickGenerate();
    QVERIFY(m_window->isBusy());
    auto* cancel = m_window->findChild<QPushButton*>(QStringLiteral("cancelButton"));
    QVERIFY(cancel && cancel->isEnabled());
    QVERIFY(saved.wait(kTimeoutMs));
    QVERIFY(!m_window->isBusy());
    QCOMPARE(lastStep, 3);
    // The preview interval (250 ms) is shorter than a step of this model on the CPU, so every step brings one.
    QVERIFY2(previews >= 1, "no live preview reached the window");

    const QStringList paths = saved.takeFirst().at(0).toStringList();
    QCOMPARE(paths.size(), 1);
    QVERIFY(QFileInfo::exists(paths[0]));
    QCOMPARE(QFileInfo(paths[0]).absolutePath(), QFileInfo(outputFolder()).absoluteFilePath());
    m_firstImage = paths[0];

    // What is shown is what was written.
    QCOMPARE(m_window->resultView()->currentImage().convertToFormat(QImage::Format_RGB888), rgbImage(paths[0]));
    QVERIFY(m_window->findChild<QLabel*>(QStringLiteral("resultInfo"))->text().contains(QStringLiteral("42")));

    // The history has it, with the request as run.
    const auto entries = m_window->historyStore()->list();
    QCOMPARE(entries.size(), std::size_t{1});
    QCOMPARE(entries[0].imagePath, paths[0]);
    QCOMPARE(entries[0].request.prompts, std::vector<std::string>{prompt});
    QCOMPARE(entries[0].request.seed, std::uint64_t{42});

    // The file's metadata restores the same request, Chinese prompt included.
    const ImageParameters parameters = readImageParameters(paths[0]);
    QVERIFY2(parameters.ok, qPrintable(parameters.error));
    QCOMPARE(parameters.imported.source, output::ParametersSource::ZimageJson);
    QCOMPARE(parameters.imported.request.prompts, std::vector<std::string>{prompt});
    QCOMPARE(parameters.imported.request.seed, std::uint64_t{42});
    QCOMPARE(parameters.imported.request.steps, 3);
    QCOMPARE(parameters.imported.request.width, 128);
    QCOMPARE(parameters.imported.request.height, 96);
    QVERIFY(parameters.text.startsWith(QString::fromStdString(prompt)));
}

void TestMainWindow::cancelMidRunSavesNothing() {
    const int filesBefore = static_cast<int>(pngsIn(outputFolder()).size());
    const auto historyBefore = m_window->historyStore()->list().size();
    auto* cancel = m_window->findChild<QPushButton*>(QStringLiteral("cancelButton"));
    QVERIFY(cancel);
    // Cancel as soon as the first step is reported, like a person pressing Esc while it runs.
    const auto connection = connect(m_window->worker(), &EngineWorker::stepProgress, this, [&] {
        if (cancel->isEnabled())
            QTest::mouseClick(cancel, Qt::LeftButton);
    });
    const auto disconnectAtEnd = qScopeGuard([&] { disconnect(connection); });
    QSignalSpy cancelled(m_window->worker(), &EngineWorker::jobCancelled);
    m_window->form()->setRequest(smallRequest("a lighthouse at dusk", 7, 8));
    clickGenerate();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.size(), 1, kTimeoutMs);
    QTRY_VERIFY(!m_window->isBusy());
    QVERIFY(!cancel->isEnabled());
    QVERIFY(m_window->findChild<QWidget*>(QStringLiteral("messageFrame"))->isVisible());
    QCOMPARE(static_cast<int>(pngsIn(outputFolder()).size()), filesBefore);
    QCOMPARE(m_window->historyStore()->list().size(), historyBefore);
}

void TestMainWindow::droppedPngRestoresItsParameters() {
    // A file as AUTOMATIC1111/Forge write it: only the "parameters" text, with fields Z-Image does not use.
    const QString path = m_home.path() + QStringLiteral("/forge.png");
    output::PngImage png{8, 8, std::vector<std::uint8_t>(8 * 8 * 3, 128), {}};
    png.texts.push_back({"parameters", "一只猫坐在窗台上\nNegative prompt: blurry, low quality\nSteps: 20, Sampler: "
                                       "Euler a, CFG scale: 7, Seed: 965400086, Size: 512x768, Model: sdxl_base, "
                                       "Lora hashes: \"detail: 1a2b3c\""});
    output::writePng(path.toStdString(), png);

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QSignalSpy restored(m_window.get(), &MainWindow::parametersRestored);
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &drop);
    QVERIFY(restored.wait(10000));
    QCOMPARE(restored.takeFirst().at(0).toBool(), true);

    const GenerationRequest request = m_window->form()->request();
    QCOMPARE(request.prompts.at(0), std::string("一只猫坐在窗台上"));
    QCOMPARE(request.negativePrompt, std::string("blurry, low quality"));
    QCOMPARE(request.seed, std::uint64_t{965400086});
    QCOMPARE(request.steps, 20);
    QCOMPARE(request.width, 512);
    QCOMPARE(request.height, 768);
    QCOMPARE(request.guidance, 7.0);
    // What Z-Image does not use stays visible.
    const QString message = m_window->findChild<QLabel*>(QStringLiteral("messageText"))->text();
    QVERIFY2(message.contains(QStringLiteral("Lora hashes")), qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("Euler a")));
}

void TestMainWindow::droppedFileWithoutParametersIsExplained() {
    const QString path = m_home.path() + QStringLiteral("/not-a-png.png");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is not an image");
    file.close();
    const GenerationRequest before = m_window->form()->request();
    QSignalSpy restored(m_window.get(), &MainWindow::parametersRestored);
    m_window->restoreParametersFrom(path);
    QVERIFY(restored.wait(10000));
    QCOMPARE(restored.takeFirst().at(0).toBool(), false);
    QVERIFY(m_window->findChild<QWidget*>(QStringLiteral("messageFrame"))->isVisible());
    QCOMPARE(m_window->form()->request().prompts, before.prompts);
}

void TestMainWindow::unwritableOutputFolderKeepsTheImage() {
    // A folder under a regular file can never be created, even by root (the CI runs as root, so permissions alone
    // would not stop it).
    const QString blocker = m_home.path() + QStringLiteral("/a-file");
    QFile file(blocker);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    m_settings->setOutputFolder(blocker + QStringLiteral("/out"));
    const auto historyBefore = m_window->historyStore()->list().size();
    m_window->form()->setRequest(smallRequest("a paper boat", 3, 2));
    QSignalSpy saved(m_window.get(), &MainWindow::jobSaved);
    clickGenerate();
    QVERIFY(saved.wait(kTimeoutMs));
    QVERIFY(saved.takeFirst().at(0).toStringList().isEmpty());
    QVERIFY(m_window->resultView()->hasResult());
    QVERIFY(m_window->findChild<QWidget*>(QStringLiteral("messageFrame"))->isVisible());
    QVERIFY(m_window->findChild<QPushButton*>(QStringLiteral("saveAsButton"))->isEnabled());
    QCOMPARE(m_window->historyStore()->list().size(), historyBefore);
    m_settings->setOutputFolder(outputFolder());
}

void TestMainWindow::afterARestartRegenerateReproducesThePixels() {
    QVERIFY(!m_firstImage.isEmpty());
    const QImage original = rgbImage(m_firstImage);
    m_window.reset();
    openWindow();

    // The history survived the restart.
    const auto entries = m_window->historyStore()->list();
    QCOMPARE(entries.size(), std::size_t{1});
    QCOMPARE(entries[0].imagePath, m_firstImage);

    auto* history = m_window->findChild<QWidget*>(QStringLiteral("historyPanel"));
    QVERIFY(history);
    m_window->tabs()->setCurrentWidget(history);
    auto* view = history->findChild<QAbstractItemView*>(QStringLiteral("historyView"));
    QVERIFY(view);
    QTRY_COMPARE(view->model()->rowCount(), 1);
    view->setCurrentIndex(view->model()->index(0, 0));
    auto* regenerate = history->findChild<QAbstractButton*>(QStringLiteral("regenerateButton"));
    QVERIFY(regenerate);
    QTRY_VERIFY(regenerate->isEnabled());
    QSignalSpy saved(m_window.get(), &MainWindow::jobSaved);
    QTest::mouseClick(regenerate, Qt::LeftButton);
    QVERIFY(saved.wait(kTimeoutMs));
    const QStringList paths = saved.takeFirst().at(0).toStringList();
    QCOMPARE(paths.size(), 1);
    QVERIFY(paths[0] != m_firstImage);
    QCOMPARE(rgbImage(paths[0]), original);

    // The gallery lists both files, newest first.
    auto* gallery = m_window->findChild<QAbstractItemView*>(QStringLiteral("galleryView"));
    QVERIFY(gallery);
    QTRY_COMPARE(gallery->model()->rowCount(), 2);
}

// zimage-studio --model DIR --output DIR: used for the session, while the settings keep what the user chose.
void TestMainWindow::commandLineFoldersAreNotSaved() {
    m_window.reset();
    AppSettings settings(m_home.path() + QStringLiteral("/settings-command-line.ini"));
    settings.setDevice(DeviceChoice::Cpu);
    settings.setPrecision(Precision::Fp32);
    StartupOptions startup;
    startup.modelFolder = QString::fromStdString((test::fixtureDir() / "model").string());
    startup.outputFolder = m_home.path() + QStringLiteral("/command-line-out");
    MainWindow window(settings, startup);
    QTRY_VERIFY_WITH_TIMEOUT(window.isModelReady(), kTimeoutMs);
    QCOMPARE(window.modelFolder(), startup.modelFolder);
    QCOMPARE(window.outputFolder(), startup.outputFolder);
    QVERIFY(settings.modelFolder().isEmpty());
    QCOMPARE(settings.outputFolder(), AppSettings::defaultOutputFolder());
}

void TestMainWindow::cleanupTestCase() {
    m_window.reset();
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
