// The image viewer (ui/image_viewer.h) over a GalleryModel of a temporary folder. The images are made by the test,
// one colour each and with modification times it sets, so the gallery order (newest first) and the image each step
// should show follow from those; the zoom expectations follow from the image's size and the viewport's.

#include "gallery_model.h"
#include "image_viewer.h"
#include "output/generation_metadata.h"
#include "output/png_file.h"
#include "temporary_trash.h"
#include "thumbnail_cache.h"
#include "zoomable_image_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <memory>

using zimage::ui::GalleryModel;
using zimage::ui::ImageViewer;
using zimage::ui::ThumbnailCache;
using zimage::ui::ZoomableImageView;

namespace {

const QDateTime kBase = QDateTime::currentDateTime().addDays(-3);

bool writeImage(const QString& path, const QColor& color, const QDateTime& modified, QSize size = QSize(32, 24)) {
    QImage image(size, QImage::Format_RGB32);
    image.fill(color);
    if (!image.save(path, "png"))
        return false;
    QFile file(path);
    return file.open(QIODevice::ReadWrite) && file.setFileTime(modified, QFileDevice::FileModificationTime);
}

bool listed(GalleryModel& model, const QString& folder) {
    QSignalSpy finished(&model, &GalleryModel::scanFinished);
    model.setFolder(folder);
    return finished.wait(30000);
}

// The viewer shows `path`, read.
bool shows(const ImageViewer& viewer, const QString& path) {
    return viewer.currentPath() == path && !viewer.isLoading() && !viewer.image().isNull();
}

// Shortcuts reach the viewer only while its window is the active one.
bool showInActiveWindow(QWidget& widget) {
    widget.show();
    widget.activateWindow();
    return QTest::qWaitForWindowActive(&widget);
}

QAction* action(const ImageViewer& viewer, const char* name) {
    return viewer.findChild<QAction*>(QString::fromLatin1(name));
}

} // namespace

class TestImageViewer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_images = m_dir->filePath(QStringLiteral("images"));
        QVERIFY(QDir().mkpath(m_images));
        // Oldest to newest: the gallery shows c, b, a.
        QVERIFY(writeImage(path("a.png"), Qt::red, kBase));
        QVERIFY(writeImage(path("b.png"), Qt::green, kBase.addSecs(10)));
        QVERIFY(writeImage(path("c.png"), Qt::blue, kBase.addSecs(20)));
        m_cache = std::make_unique<ThumbnailCache>(QString());
        m_model = std::make_unique<GalleryModel>(*m_cache);
        QVERIFY(listed(*m_model, m_images));
        QCOMPARE(m_model->rowCount(), 3);
    }

    void cleanup() {
        m_model.reset();
        m_cache.reset();
        m_dir.reset();
    }

    void nextAndPreviousFollowTheGalleryOrder() {
        ImageViewer viewer(*m_model, 0);
        QVERIFY(showInActiveWindow(viewer));
        QTRY_VERIFY(shows(viewer, path("c.png")));
        QCOMPARE(viewer.image().pixelColor(0, 0), QColor(Qt::blue)); // the file's own pixels
        QCOMPARE(viewer.windowTitle(), QStringLiteral("c.png (1 of 3)"));
        QVERIFY(!action(viewer, "viewerPrevious")->isEnabled());

        QTest::keyClick(&viewer, Qt::Key_Right);
        QTRY_VERIFY(shows(viewer, path("b.png")));
        QCOMPARE(viewer.image().pixelColor(0, 0), QColor(Qt::green));
        QCOMPARE(viewer.windowTitle(), QStringLiteral("b.png (2 of 3)"));
        QTest::keyClick(&viewer, Qt::Key_PageDown);
        QTRY_VERIFY(shows(viewer, path("a.png")));
        QCOMPARE(viewer.image().pixelColor(0, 0), QColor(Qt::red));
        QVERIFY(!action(viewer, "viewerNext")->isEnabled());
        QTest::keyClick(&viewer, Qt::Key_Right); // at the end: stays
        QCOMPARE(viewer.currentRow(), 2);

        QTest::keyClick(&viewer, Qt::Key_Left);
        QTRY_VERIFY(shows(viewer, path("b.png")));
        action(viewer, "viewerPrevious")->trigger();
        QTRY_VERIFY(shows(viewer, path("c.png")));

        // A newer image arrives: the shown one keeps showing, one row further down.
        QVERIFY(writeImage(path("d.png"), Qt::yellow, kBase.addSecs(30)));
        QTRY_COMPARE(m_model->rowCount(), 4);
        QCOMPARE(viewer.currentPath(), path("c.png"));
        QCOMPARE(viewer.currentRow(), 1);
        QCOMPARE(viewer.windowTitle(), QStringLiteral("c.png (2 of 4)"));
        QTest::keyClick(&viewer, Qt::Key_PageUp);
        QTRY_VERIFY(shows(viewer, path("d.png")));
    }

    void showsTheParametersAnImageCarries() {
        zimage::GenerationRequest request;
        request.prompts = {"一只橘猫坐在窗台上, golden hour"};
        request.seed = 4242;
        request.steps = 9;
        request.width = 1024;
        request.height = 768;
        zimage::output::PngImage png;
        png.width = 4;
        png.height = 4;
        png.rgb.assign(4 * 4 * 3, 200);
        const std::string text = zimage::output::a1111Parameters(request, 0, "Z-Image-Turbo");
        png.texts = {{std::string(zimage::output::kParametersKey), text},
                     {std::string(zimage::output::kRequestJsonKey),
                      zimage::output::imageMetadata(request, 0, "Z-Image-Turbo", "zimage-studio test").dump()}};
        zimage::output::writePng(QFile::encodeName(path("made.png")).toStdString(), png);
        QTRY_COMPARE(m_model->rowCount(), 4);
        const int row = m_model->rowOfPath(path("made.png"));
        QCOMPARE(row, 0); // written now: the newest

        ImageViewer viewer(*m_model, row);
        QSignalSpy parameters(&viewer, &ImageViewer::parametersLoaded);
        QVERIFY(parameters.wait(10000));
        QVERIFY(viewer.hasParameters());
        QCOMPARE(viewer.parametersText(), QString::fromStdString(text));
        QCOMPARE(viewer.findChild<QLabel*>(QStringLiteral("viewerPrompt"))->text(),
                 QStringLiteral("一只橘猫坐在窗台上, golden hour"));
        QCOMPARE(viewer.findChild<QLabel*>(QStringLiteral("viewerSeed"))->text(), QStringLiteral("4242"));
        action(viewer, "viewerCopyParameters")->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QString::fromStdString(text));

        QSignalSpy reuse(&viewer, &ImageViewer::parametersRequested);
        action(viewer, "viewerReuseParameters")->trigger();
        QCOMPARE(reuse.size(), 1);
        const auto imported = reuse.at(0).at(0).value<zimage::output::ImportedParameters>();
        QCOMPARE(imported.request.seed, std::uint64_t(4242));
        QCOMPARE(imported.request.prompts, request.prompts);

        // A plain PNG: no parameters, and the viewer says why.
        viewer.showRow(m_model->rowOfPath(path("a.png")));
        QVERIFY(parameters.wait(10000));
        QVERIFY(!viewer.hasParameters());
        const QString note = viewer.findChild<QLabel*>(QStringLiteral("viewerParametersNote"))->text();
        QVERIFY2(note.contains(QStringLiteral("a.png")), qPrintable(note));
    }

    void zoomFitsByDefaultAndGoesToActualSize() {
        // 1600 x 1200 in a window far smaller: "fit" shrinks it, 100 % shows it pixel for pixel.
        QVERIFY(writeImage(path("large.png"), Qt::darkCyan, kBase.addSecs(100), QSize(1600, 1200)));
        QTRY_COMPARE(m_model->rowCount(), 4);
        ImageViewer viewer(*m_model, 0);
        viewer.resize(900, 600);
        QVERIFY(showInActiveWindow(viewer));
        QTRY_VERIFY(shows(viewer, path("large.png")));
        auto* view = viewer.findChild<ZoomableImageView*>();
        QVERIFY(view);
        QWidget* canvas = viewer.findChild<QWidget*>(QStringLiteral("viewerImage"));
        QVERIFY(canvas);
        const double dpr = viewer.devicePixelRatioF();

        // Fit: the whole image in the room the viewport has, one side filling it.
        QVERIFY(viewer.isFitToWindow());
        const QSize room = view->maximumViewportSize();
        const double fit = std::min(room.width() * dpr / 1600.0, room.height() * dpr / 1200.0);
        QVERIFY(fit < 1.0);
        QCOMPARE(viewer.zoom(), fit);
        QVERIFY(canvas->width() <= room.width() && canvas->height() <= room.height());
        QCOMPARE(view->horizontalScrollBar()->maximum(), 0);
        QCOMPARE(view->verticalScrollBar()->maximum(), 0);

        QTest::keyClick(&viewer, Qt::Key_1);
        QCOMPARE(viewer.zoom(), 1.0);
        QVERIFY(!viewer.isFitToWindow());
        QCOMPARE(canvas->size(), QSize(qRound(1600 / dpr), qRound(1200 / dpr)));
        QVERIFY(view->horizontalScrollBar()->maximum() > 0); // larger than the window: it pans
        QTest::keyClick(&viewer, Qt::Key_Plus);
        QCOMPARE(viewer.zoom(), ZoomableImageView::kZoomStep);
        QTest::keyClick(&viewer, Qt::Key_Minus);
        QCOMPARE(viewer.zoom(), 1.0);

        // Ctrl+wheel, one notch (120 units) in: one step, about the pointer.
        const QPoint at = view->viewport()->rect().center();
        QWheelEvent wheel(at, view->viewport()->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view->viewport(), &wheel);
        QCOMPARE(viewer.zoom(), ZoomableImageView::kZoomStep);

        QTest::keyClick(&viewer, Qt::Key_0);
        QVERIFY(viewer.isFitToWindow());
        QCOMPARE(viewer.zoom(), fit);

        // A small image is not enlarged to fit.
        QTest::keyClick(&viewer, Qt::Key_Right);
        QTRY_VERIFY(shows(viewer, path("c.png")));
        QCOMPARE(viewer.zoom(), 1.0);
        QCOMPARE(canvas->size(), QSize(qRound(32 / dpr), qRound(24 / dpr)));
    }

    void deleteMovesToTheNextImage() {
        const zimage::test::TemporaryTrash trash(m_dir->path());
        if (const QString why = trash.unavailableReason(); !why.isEmpty())
            QSKIP(qPrintable(why));

        ImageViewer viewer(*m_model, 1);
        QVERIFY(showInActiveWindow(viewer));
        QSignalSpy trashed(&viewer, &ImageViewer::imageTrashed);
        QTRY_VERIFY(shows(viewer, path("b.png")));
        QTest::keyClick(&viewer, Qt::Key_Delete);
        QVERIFY(trashed.wait(10000));
        QCOMPARE(trashed.at(0).at(0).toString(), path("b.png"));
        QVERIFY(!QFile::exists(path("b.png")));
#ifdef Q_OS_LINUX
        QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("data/Trash/files/b.png"))));
#endif
        // The next image (a) shows at once; the model drops b's row when its watcher sees it go.
        QTRY_VERIFY(shows(viewer, path("a.png")));
        QTRY_COMPARE(m_model->rowCount(), 2);
        QCOMPARE(viewer.currentRow(), 1);
        QCOMPARE(viewer.windowTitle(), QStringLiteral("a.png (2 of 2)"));

        // The last one: the one before it shows.
        QTest::keyClick(&viewer, Qt::Key_Delete);
        QTRY_VERIFY(shows(viewer, path("c.png")));
        QTRY_COMPARE(m_model->rowCount(), 1);

        // Deleted by someone else while shown: the viewer follows the gallery (now empty).
        QVERIFY(QFile::remove(path("c.png")));
        QTRY_COMPARE(viewer.currentRow(), -1);
        QVERIFY(viewer.image().isNull());
        QCOMPARE(viewer.windowTitle(), QStringLiteral("Image viewer"));
        QVERIFY(!action(viewer, "viewerTrash")->isEnabled());
    }

private:
    QString path(const char* name) const {
        return m_images + QLatin1Char('/') + QString::fromLatin1(name);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_images;
    std::unique_ptr<ThumbnailCache> m_cache;
    std::unique_ptr<GalleryModel> m_model;
};

QTEST_MAIN(TestImageViewer)
#include "test_image_viewer.moc"
