// The gallery tab (ui/gallery_panel.h) over temporary output folders. The images are made by the test with the
// modification times it sets, so the expected order (newest first) follows from those; the parameters come from PNGs
// the test writes with the engine's own writer (output/png_file.h, output/generation_metadata.h), so the expected
// clipboard text is what a1111Parameters made for them.

#include "gallery_model.h"
#include "gallery_panel.h"
#include "image_viewer.h"
#include "output/generation_metadata.h"
#include "output/png_file.h"
#include "temporary_trash.h"
#include "thumbnail_cache.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QListView>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <memory>

using zimage::ui::GalleryModel;
using zimage::ui::GalleryPanel;
using zimage::ui::ImageViewer;
using zimage::ui::ThumbnailCache;
using zimage::ui::ThumbnailState;

namespace {

const QDateTime kBase = QDateTime::currentDateTime().addDays(-5);

bool setModified(const QString& path, const QDateTime& time) {
    QFile file(path);
    return file.open(QIODevice::ReadWrite) && file.setFileTime(time, QFileDevice::FileModificationTime);
}

QByteArray pngBytes(const QColor& color, int side = 8) {
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(color);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "png");
    return bytes;
}

bool writeFile(const QString& path, const QByteArray& bytes, const QDateTime& modified) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return false;
    file.close();
    return setModified(path, modified);
}

// A PNG carrying both of our text chunks, written as the app writes its images; returns its "parameters" text.
std::string writeGeneratedPng(const QString& path) {
    zimage::GenerationRequest request;
    request.prompts = {"一只橘猫坐在窗台上, golden hour"};
    request.seed = 12345;
    request.steps = 9;
    request.width = 1024;
    request.height = 768;
    zimage::output::PngImage png;
    png.width = 4;
    png.height = 4;
    png.rgb.assign(4 * 4 * 3, 90);
    const std::string text = zimage::output::a1111Parameters(request, 0, "Z-Image-Turbo");
    png.texts = {{std::string(zimage::output::kParametersKey), text},
                 {std::string(zimage::output::kRequestJsonKey),
                  zimage::output::imageMetadata(request, 0, "Z-Image-Turbo", "zimage-studio test").dump()}};
    zimage::output::writePng(QFile::encodeName(path).toStdString(), png);
    return text;
}

QStringList namesOf(const GalleryModel& model) {
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row)
        names << model.index(row).data(GalleryModel::FileNameRole).toString();
    return names;
}

bool showInActiveWindow(QWidget& widget) {
    widget.show();
    widget.activateWindow();
    return QTest::qWaitForWindowActive(&widget);
}

QString messageOf(const GalleryPanel& panel) {
    const auto* stack = panel.findChild<QStackedWidget*>();
    const auto* message = panel.findChild<QLabel*>(QStringLiteral("galleryMessage"));
    return stack->currentWidget() == message ? message->text() : QString();
}

// The thumbnail cache is idle: nothing queued or being made.
bool thumbnailsIdle(const ThumbnailCache& cache) {
    return cache.pendingCount() == 0 && cache.inFlightCount() == 0;
}

} // namespace

class TestGalleryPanel : public QObject {
    Q_OBJECT

public Q_SLOTS:
    // QDesktopServices' handler for file URLs while a test reveals a file.
    void openUrl(const QUrl& url) { m_opened << url; }

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_images = m_dir->filePath(QStringLiteral("images"));
        QVERIFY(QDir().mkpath(m_images));
        m_opened.clear();
    }

    void cleanup() { m_dir.reset(); }

    void fiveThousandImagesStayResponsive() {
        constexpr int kCount = 5000;
        // One tiny PNG, 5,000 times: it is the count that matters. Each a second newer than the one before.
        const QByteArray png = pngBytes(Qt::darkGreen);
        for (int i = 0; i < kCount; ++i) {
            const QString name = QStringLiteral("/img-%1.png").arg(i, 4, 10, QLatin1Char('0'));
            QVERIFY(writeFile(m_images + name, png, kBase.addSecs(i)));
        }

        // Ticks of a 10 ms timer on the GUI thread, from before the panel exists until it has listed the folder,
        // laid out 5,000 items, shown the first screen's thumbnails, scrolled to the end and shown the last screen's.
        // The longest gap between ticks is how long the window stood still (some 60 ms here, the model's reset and the
        // first layout). 250 ms is generous: a human notices a stall from about 100 ms, and this 2-core machine is
        // shared with compilers. Decoding thumbnails on the GUI thread, or a view that asks every row for one, stalls
        // for seconds; over-asking is also caught directly by the counts below.
        QElapsedTimer clock;
        qint64 lastTick = 0;
        qint64 longestGap = 0;
        QTimer ticker;
        ticker.setInterval(10);
        connect(&ticker, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            longestGap = std::max(longestGap, now - lastTick);
            lastTick = now;
        });
        clock.start();
        ticker.start();

        ThumbnailCache cache(m_dir->filePath(QStringLiteral("thumbnails")));
        GalleryPanel panel(cache, m_images);
        panel.resize(1000, 700);
        QVERIFY(showInActiveWindow(panel));
        GalleryModel& model = *panel.model();
        QListView& view = *panel.view();
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), kCount, 60000);
        // Every item on screen gets its thumbnail.
        const auto readyOnScreen = [&] {
            const QModelIndex first = view.indexAt(QPoint(20, 20));
            if (!first.isValid())
                return false;
            for (int row = first.row(); row < kCount; ++row) {
                if (!view.viewport()->rect().intersects(view.visualRect(model.index(row))))
                    break;
                if (model.index(row).data(GalleryModel::ThumbnailStateRole).toInt() != int(ThumbnailState::Ready))
                    return false;
            }
            return thumbnailsIdle(cache);
        };
        QTRY_VERIFY_WITH_TIMEOUT(readyOnScreen(), 30000);
        const int firstScreen = cache.stats().jobsStarted;

        const QModelIndex last = model.index(kCount - 1);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                view.scrollTo(last);
                return view.viewport()->rect().intersects(view.visualRect(last));
            }(),
            30000);
        QVERIFY(view.indexAt(QPoint(20, 20)).row() > kCount - 100);
        QTRY_VERIFY_WITH_TIMEOUT(readyOnScreen(), 30000);
        ticker.stop();
        qInfo("The GUI thread stood still for at most %lld ms.", longestGap);
        QVERIFY2(longestGap < 250, qPrintable(QStringLiteral("the GUI thread stood still for %1 ms").arg(longestGap)));

        // Newest first: the highest number on top.
        const QStringList names = namesOf(model);
        for (int row = 0; row < kCount; ++row)
            QCOMPARE(names.at(row), QStringLiteral("img-%1.png").arg(kCount - 1 - row, 4, 10, QLatin1Char('0')));
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("galleryCount"))->text(), QStringLiteral("5000 image(s)"));

        // Only what was on screen was asked for: a screen at the top and one at the end (the 1000 x 700 panel shows
        // some 5 x 4 items of 176 x 190 pixels; the view also asks the last row once while laying out), nowhere near
        // 5,000; a row in the middle never was.
        const int requested = cache.stats().jobsStarted;
        QVERIFY2(firstScreen > 0 && firstScreen <= 60, qPrintable(QString::number(firstScreen)));
        QVERIFY2(requested > firstScreen && requested <= 120, qPrintable(QString::number(requested)));
        QCOMPARE(model.index(kCount / 2).data(GalleryModel::ThumbnailStateRole).toInt(), int(ThumbnailState::Loading));
        QCOMPARE(model.index(0).data(GalleryModel::ThumbnailStateRole).toInt(), int(ThumbnailState::Ready));
    }

    void emptyErrorAndLiveStates() {
        ThumbnailCache cache{QString()};
        GalleryPanel panel(cache, m_images);
        QTRY_COMPARE(
            messageOf(panel),
            QStringLiteral("No images yet. Generated images are saved to %1.").arg(QDir::toNativeSeparators(m_images)));

        // A file appears: it is listed (the model's watcher), newest first, and the grid replaces the message.
        QVERIFY(writeFile(m_images + QStringLiteral("/old.png"), pngBytes(Qt::red), kBase));
        QTRY_COMPARE(panel.model()->rowCount(), 1);
        QCOMPARE(messageOf(panel), QString());
        QVERIFY(writeFile(m_images + QStringLiteral("/new.png"), pngBytes(Qt::blue), kBase.addSecs(60)));
        QTRY_COMPARE(namesOf(*panel.model()), (QStringList{QStringLiteral("new.png"), QStringLiteral("old.png")}));

        // A folder that is not there: the model's sentence, which names it.
        const QString missing = m_dir->filePath(QStringLiteral("nowhere"));
        panel.setFolder(missing);
        QTRY_VERIFY(messageOf(panel).contains(QDir::toNativeSeparators(missing)));
        QVERIFY(messageOf(panel).startsWith(panel.model()->errorString()));
    }

    void deleteMovesSelectedImagesToTheTrash() {
        const zimage::test::TemporaryTrash trash(m_dir->path());
        if (const QString why = trash.unavailableReason(); !why.isEmpty())
            QSKIP(qPrintable(why));

        for (int i = 0; i < 4; ++i)
            QVERIFY(writeFile(m_images + QStringLiteral("/%1.png").arg(i), pngBytes(Qt::gray), kBase.addSecs(i)));
        ThumbnailCache cache{QString()};
        GalleryPanel panel(cache, m_images);
        QStringList asked;
        bool answer = false;
        panel.setTrashConfirmation([&](const QStringList& paths) {
            asked = paths;
            return answer;
        });
        QVERIFY(showInActiveWindow(panel));
        QListView& view = *panel.view();
        GalleryModel& model = *panel.model();
        QTRY_COMPARE(namesOf(model), (QStringList{QStringLiteral("3.png"), QStringLiteral("2.png"),
                                                  QStringLiteral("1.png"), QStringLiteral("0.png")}));
        view.setFocus();

        // One image: no question.
        view.setCurrentIndex(model.index(1));
        QTest::keyClick(&view, Qt::Key_Delete);
        QTRY_COMPARE(namesOf(model),
                     (QStringList{QStringLiteral("3.png"), QStringLiteral("1.png"), QStringLiteral("0.png")}));
        QVERIFY(asked.isEmpty());
        QVERIFY(!QFile::exists(m_images + QStringLiteral("/2.png")));
#ifdef Q_OS_LINUX
        QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("data/Trash/files/2.png"))));
#endif

        // Two: asked first, with both; "no" keeps them.
        QSignalSpy messages(&panel, &GalleryPanel::statusMessage);
        view.selectionModel()->select(QItemSelection(model.index(0), model.index(1)),
                                      QItemSelectionModel::ClearAndSelect);
        QTest::keyClick(&view, Qt::Key_Delete);
        QCOMPARE(asked, (QStringList{m_images + QStringLiteral("/3.png"), m_images + QStringLiteral("/1.png")}));
        QVERIFY(QFile::exists(m_images + QStringLiteral("/3.png")) &&
                QFile::exists(m_images + QStringLiteral("/1.png")));
        answer = true;
        QTest::keyClick(&view, Qt::Key_Delete);
        QTRY_COMPARE(namesOf(model), QStringList{QStringLiteral("0.png")});
        // One message: the "no" moved nothing (else there would be a second, and this one would name failures).
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("Moved 2 image(s) to the trash."));
    }

    void copyAndReuseParameters() {
        const std::string text = writeGeneratedPng(m_images + QStringLiteral("/made.png"));
        QVERIFY(writeFile(m_images + QStringLiteral("/plain.png"), pngBytes(Qt::red), kBase));
        ThumbnailCache cache{QString()};
        GalleryPanel panel(cache, m_images);
        QVERIFY(showInActiveWindow(panel));
        GalleryModel& model = *panel.model();
        QTRY_COMPARE(namesOf(model), (QStringList{QStringLiteral("made.png"), QStringLiteral("plain.png")}));
        QListView& view = *panel.view();
        view.setFocus();
        view.setCurrentIndex(model.index(0));

        QApplication::clipboard()->setText(QStringLiteral("before"));
        QSignalSpy messages(&panel, &GalleryPanel::statusMessage);
        QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(QApplication::clipboard()->text(), QString::fromStdString(text));
        QCOMPARE(messages.size(), 1);

        QSignalSpy requested(&panel, &GalleryPanel::parametersRequested);
        panel.findChild<QAction*>(QStringLiteral("galleryReuseParameters"))->trigger();
        QVERIFY(requested.wait(10000));
        const auto imported = requested.at(0).at(0).value<zimage::output::ImportedParameters>();
        QCOMPARE(imported.source, zimage::output::ParametersSource::ZimageJson);
        QCOMPARE(imported.request.seed, std::uint64_t(12345));
        QCOMPARE(imported.request.prompts, std::vector<std::string>{"一只橘猫坐在窗台上, golden hour"});
        QCOMPARE(imported.request.width, 1024);
        QCOMPARE(requested.at(0).at(1).toString(), m_images + QStringLiteral("/made.png"));

        // An image without parameters: the clipboard keeps what it had, and a message says why.
        view.setCurrentIndex(model.index(1));
        messages.clear();
        panel.copyParameters();
        QVERIFY(messages.wait(10000));
        QVERIFY2(messages.at(0).at(0).toString().contains(QStringLiteral("plain.png")),
                 qPrintable(messages.at(0).at(0).toString()));
        QCOMPARE(QApplication::clipboard()->text(), QString::fromStdString(text));
    }

    void openAndReveal() {
        QVERIFY(writeFile(m_images + QStringLiteral("/a.png"), pngBytes(Qt::red), kBase));
        QVERIFY(writeFile(m_images + QStringLiteral("/b.png"), pngBytes(Qt::blue), kBase.addSecs(5)));
        ThumbnailCache cache{QString()};
        GalleryPanel panel(cache, m_images);
        QVERIFY(showInActiveWindow(panel));
        GalleryModel& model = *panel.model();
        QTRY_COMPARE(model.rowCount(), 2);
        QListView& view = *panel.view();
        view.setFocus();
        view.setCurrentIndex(model.index(1));

        QTest::keyClick(&view, Qt::Key_Return);
        QVERIFY(panel.viewer());
        QCOMPARE(panel.viewer()->currentPath(), m_images + QStringLiteral("/a.png"));
        QVERIFY(panel.viewer()->isWindow());
        QVERIFY(panel.openImage(m_images + QStringLiteral("/b.png")));
        QCOMPARE(panel.viewer()->currentPath(), m_images + QStringLiteral("/b.png"));
        QVERIFY(!panel.openImage(m_dir->filePath(QStringLiteral("elsewhere.png"))));
        panel.viewer()->close();
        QTRY_VERIFY(!panel.viewer()); // deleted on close

#if !defined(Q_OS_WIN) && !defined(Q_OS_MACOS)
        // Elsewhere the containing folder opens (revealInFileManager).
        QDesktopServices::setUrlHandler(QStringLiteral("file"), this, "openUrl");
        const auto unset = qScopeGuard([] { QDesktopServices::unsetUrlHandler(QStringLiteral("file")); });
        panel.revealCurrent();
        QCOMPARE(m_opened, QList<QUrl>{QUrl::fromLocalFile(m_images)});
#endif
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_images;
    QList<QUrl> m_opened;
};

QTEST_MAIN(TestGalleryPanel)
#include "test_gallery_panel.moc"
