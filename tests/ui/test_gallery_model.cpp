// The gallery's model (ui/gallery_model.h), its thumbnail cache (ui/thumbnail_cache.h) and file actions
// (ui/gallery_files.h), each test on fresh temporary folders: the images are made by the test (QImage, one colour
// each, so a thumbnail can be traced back to its file), their modification times set with QFile::setFileTime, and
// the expected order and contents follow from those.

#include "gallery_files.h"
#include "gallery_model.h"
#include "output/generation_metadata.h"
#include "output/png_file.h"
#include "thumbnail_cache.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QMimeData>
#include <QPixmap>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <memory>

using zimage::ui::GalleryModel;
using zimage::ui::ThumbnailCache;
using zimage::ui::ThumbnailKey;
using zimage::ui::ThumbnailState;

namespace {

const QDateTime kBase = QDateTime::currentDateTime().addDays(-10);

QColor colorOf(int i) {
    return QColor::fromRgb((i * 37) % 256, (i * 101) % 256, (i * 13 + 50) % 256);
}

bool setModified(const QString& path, const QDateTime& time) {
    QFile file(path);
    return file.open(QIODevice::ReadWrite) && file.setFileTime(time, QFileDevice::FileModificationTime);
}

// A side x side image of one colour, written in place (as other programs write) with the given time.
bool writeImage(const QString& path, const QColor& color, const QDateTime& modified = {}, int side = 16,
                const char* format = "png") {
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(color);
    if (!image.save(path, format))
        return false;
    return !modified.isValid() || setModified(path, modified);
}

// As our writers do: a hidden temporary next to it, then a rename (which keeps the temporary's time).
bool writeImageAtomically(const QString& path, const QColor& color, const QDateTime& modified = {}) {
    const QFileInfo info(path);
    const QString temporary = info.dir().filePath(QLatin1Char('.') + info.fileName() + QStringLiteral(".tmp-1"));
    return writeImage(temporary, color, modified) && QFile::rename(temporary, path);
}

QByteArray pngBytes(const QColor& color, int side) {
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(color);
    // Noise makes the compressed data long enough to cut in half.
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            image.setPixel(x, y, qRgb((x * 7 + y * 13) % 256, (x * y) % 256, (x + y * 3) % 256));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "png");
    return bytes;
}

bool writeBytes(const QString& path, const QByteArray& bytes, QIODevice::OpenMode mode = QIODevice::WriteOnly) {
    QFile file(path);
    return file.open(mode) && file.write(bytes) == bytes.size();
}

QStringList namesOf(const GalleryModel& model) {
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row)
        names << model.index(row).data(GalleryModel::FileNameRole).toString();
    return names;
}

ThumbnailState stateOf(const GalleryModel& model, int row) {
    return static_cast<ThumbnailState>(model.index(row).data(GalleryModel::ThumbnailStateRole).toInt());
}

// Asks for the thumbnail (as a view painting the row does) and says what state it is in.
ThumbnailState requestThumbnail(const GalleryModel& model, int row) {
    model.index(row).data(Qt::DecorationRole);
    return stateOf(model, row);
}

bool listed(GalleryModel& model, const QString& folder) {
    QSignalSpy finished(&model, &GalleryModel::scanFinished);
    model.setFolder(folder);
    return finished.wait(60000);
}

// The rows dataChanged has named since it was made.
class ChangedRows {
public:
    explicit ChangedRows(GalleryModel& model) {
        QObject::connect(&model, &GalleryModel::dataChanged, &m_context,
                         [this](const QModelIndex& first, const QModelIndex& last) {
                             for (int row = first.row(); row <= last.row(); ++row)
                                 rows.insert(row);
                         });
    }
    QSet<int> rows;

private:
    QObject m_context;
};

ThumbnailCache::Options smallThumbnails(int maxInFlight = 3) {
    ThumbnailCache::Options options;
    options.edge = 64;
    options.maxInFlight = maxInFlight;
    return options;
}

} // namespace

class TestGalleryModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_images = m_dir->filePath(QStringLiteral("images"));
        m_cache = m_dir->filePath(QStringLiteral("cache/thumbnails"));
        QVERIFY(QDir().mkpath(m_images));
    }

    void cleanup() { m_dir.reset(); }

    void listsImagesNewestFirst() {
        const QString folder = m_images;
        QVERIFY(writeImage(folder + QStringLiteral("/a.png"), Qt::red, kBase.addSecs(-300)));
        QVERIFY(writeImage(folder + QStringLiteral("/b.png"), Qt::green, kBase.addSecs(-100)));
        QVERIFY(writeImage(folder + QStringLiteral("/c.png"), Qt::blue, kBase.addSecs(-200)));
        // Equal times: the greater name first (numbered files read newest first).
        QVERIFY(writeImage(folder + QStringLiteral("/d.png"), Qt::cyan, kBase.addSecs(-400)));
        QVERIFY(writeImage(folder + QStringLiteral("/e.png"), Qt::cyan, kBase.addSecs(-400)));
        QVERIFY(writeImage(folder + QStringLiteral("/UPPER.PNG"), Qt::gray, kBase.addSecs(-500)));
        // Not listed: other files, hidden files (our writers' temporaries), subfolders.
        QVERIFY(writeBytes(folder + QStringLiteral("/notes.txt"), "not an image"));
        QVERIFY(writeImage(folder + QStringLiteral("/.a.png.tmp-1"), Qt::red, kBase));
        QVERIFY(writeImage(folder + QStringLiteral("/.hidden.png"), Qt::red, kBase));
        QVERIFY(QDir(folder).mkdir(QStringLiteral("sub")));
        QVERIFY(writeImage(folder + QStringLiteral("/sub/inner.png"), Qt::red, kBase));
        QStringList expected{QStringLiteral("b.png"), QStringLiteral("c.png"), QStringLiteral("a.png"),
                             QStringLiteral("e.png"), QStringLiteral("d.png"), QStringLiteral("UPPER.PNG")};
        if (QImageReader::supportedImageFormats().contains("jpeg")) {
            QVERIFY(writeImage(folder + QStringLiteral("/photo.jpg"), Qt::yellow, kBase.addSecs(-50), 16, "jpeg"));
            expected.prepend(QStringLiteral("photo.jpg"));
        }

        ThumbnailCache cache(m_cache, smallThumbnails());
        GalleryModel model(cache);
        QVERIFY(listed(model, folder));
        QCOMPARE(namesOf(model), expected);
        QVERIFY(model.errorString().isEmpty());

        const int row = static_cast<int>(expected.indexOf(QStringLiteral("c.png")));
        const QModelIndex c = model.index(row);
        const QString path = QDir(folder).filePath(QStringLiteral("c.png"));
        QCOMPARE(c.data(GalleryModel::PathRole).toString(), path);
        QCOMPARE(c.data(Qt::DisplayRole).toString(), QStringLiteral("c.png"));
        QCOMPARE(c.data(GalleryModel::ModifiedRole).toDateTime(), kBase.addSecs(-200));
        QCOMPARE(c.data(GalleryModel::SizeRole).toLongLong(), QFileInfo(path).size());
        QCOMPARE(model.pathAt(row), path);
        QCOMPARE(model.rowOfPath(path), row);
        QCOMPARE(model.rowOfPath(folder + QStringLiteral("/sub/inner.png")), -1);
        QVERIFY(model.roleNames().contains(GalleryModel::PathRole));
        const std::unique_ptr<QMimeData> mime(model.mimeData({c}));
        QVERIFY(mime);
        QCOMPARE(mime->urls(), QList<QUrl>{QUrl::fromLocalFile(path)});
    }

    void followsFilesAppearingAndDisappearing() {
        const QString folder = m_images;
        QVERIFY(writeImage(folder + QStringLiteral("/old-1.png"), Qt::red, kBase.addSecs(-20)));
        QVERIFY(writeImage(folder + QStringLiteral("/old-2.png"), Qt::green, kBase.addSecs(-10)));
        ThumbnailCache cache(m_cache, smallThumbnails());
        GalleryModel model(cache);
        QVERIFY(listed(model, folder));
        QCOMPARE(namesOf(model), (QStringList{QStringLiteral("old-2.png"), QStringLiteral("old-1.png")}));

        QSignalSpy inserted(&model, &GalleryModel::rowsInserted);
        QSignalSpy removed(&model, &GalleryModel::rowsRemoved);
        QSignalSpy reset(&model, &GalleryModel::modelReset);

        // A new image (now: the newest) goes in at the top.
        QVERIFY(writeImageAtomically(folder + QStringLiteral("/new.png"), Qt::blue));
        QTRY_COMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 0);
        QCOMPARE(namesOf(model).first(), QStringLiteral("new.png"));

        // One dated between the two old ones goes between them.
        QVERIFY(writeImageAtomically(folder + QStringLiteral("/middle.png"), Qt::cyan, kBase.addSecs(-15)));
        QTRY_COMPARE(model.rowCount(), 4);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 2);
        QCOMPARE(namesOf(model), (QStringList{QStringLiteral("new.png"), QStringLiteral("old-2.png"),
                                              QStringLiteral("middle.png"), QStringLiteral("old-1.png")}));

        // A deleted image leaves its row.
        QVERIFY(QFile::remove(folder + QStringLiteral("/old-2.png")));
        QTRY_COMPARE(model.rowCount(), 3);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(namesOf(model),
                 (QStringList{QStringLiteral("new.png"), QStringLiteral("middle.png"), QStringLiteral("old-1.png")}));
        QCOMPARE(reset.count(), 0);
    }

    void fileStillBeingWrittenGetsItsThumbnailWhenDone() {
        // Written in place, in two parts, with no rename: the first half is not a readable image.
        const QString path = m_images + QStringLiteral("/slow.png");
        const QByteArray bytes = pngBytes(Qt::magenta, 96);
        QVERIFY(writeBytes(path, bytes.left(bytes.size() / 2)));
        ThumbnailCache cache(m_cache, smallThumbnails());
        GalleryModel model(cache);
        QVERIFY(listed(model, m_images));
        QCOMPARE(model.rowCount(), 1);
        QTRY_COMPARE(requestThumbnail(model, 0), ThumbnailState::Unreadable);

        // The rest arrives; no rename, so the folder's watcher may say nothing.
        QVERIFY(writeBytes(path, bytes.mid(bytes.size() / 2), QIODevice::Append));
        QTRY_COMPARE_WITH_TIMEOUT(requestThumbnail(model, 0), ThumbnailState::Ready, 10000);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0).data(GalleryModel::SizeRole).toLongLong(), bytes.size());
        const auto pixmap = model.index(0).data(Qt::DecorationRole).value<QPixmap>();
        QCOMPARE(pixmap.size(), QSize(64, 64));
    }

    void fiveThousandImages() {
        constexpr int kCount = 5000;
        constexpr int kVisible = 50;
        constexpr int kMaxInFlight = 3;
        for (int i = 0; i < kCount; ++i) {
            const QString name = QStringLiteral("/img-%1.png").arg(i, 4, 10, QLatin1Char('0'));
            QVERIFY(writeImage(m_images + name, colorOf(i), kBase.addSecs(i)));
        }
        // The newest (the highest number) first.
        const auto expectedName = [](int row) {
            return QStringLiteral("img-%1.png").arg(kCount - 1 - row, 4, 10, QLatin1Char('0'));
        };

        ThumbnailCache cache(m_cache, smallThumbnails(kMaxInFlight));
        GalleryModel model(cache);
        // The listing does not hold up the GUI thread: a timer on it keeps firing meanwhile.
        int ticks = 0;
        QTimer ticker;
        ticker.setInterval(0);
        connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
        ticker.start();
        QSignalSpy finished(&model, &GalleryModel::scanFinished);
        model.setFolder(m_images);
        QVERIFY(model.isScanning());
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(finished.wait(60000));
        ticker.stop();
        QVERIFY2(ticks > 0, "the timer did not fire while the folder was listed");
        QCOMPARE(model.rowCount(), kCount);
        for (int row = 0; row < kCount; ++row)
            QCOMPARE(model.index(row).data(GalleryModel::FileNameRole).toString(), expectedName(row));

        // The view shows 50 rows: only their thumbnails are made, at most kMaxInFlight at a time, each once.
        QStringList started;
        int mostInFlight = 0;
        connect(&cache, &ThumbnailCache::jobStarted, this, [&](const ThumbnailKey& key) {
            started << key.path;
            mostInFlight = std::max(mostInFlight, cache.inFlightCount());
        });
        ChangedRows changed(model);
        for (int pass = 0; pass < 2; ++pass) {
            for (int row = 0; row < kVisible; ++row) {
                QCOMPARE(requestThumbnail(model, row), ThumbnailState::Loading);
                QCOMPARE(model.index(row).data(Qt::DecorationRole).value<QPixmap>().cacheKey(),
                         cache.loadingPlaceholder().cacheKey());
            }
        }
        QVERIFY(cache.stats().jobsStarted <= kMaxInFlight);
        QVERIFY(cache.inFlightCount() <= kMaxInFlight);

        QTRY_COMPARE_WITH_TIMEOUT(changed.rows.size(), kVisible, 60000);
        for (int row = 0; row < kVisible; ++row)
            QVERIFY2(changed.rows.contains(row), qPrintable(QString::number(row)));
        // Each once, top to bottom (the order the view asked in).
        QCOMPARE(started.size(), kVisible);
        for (int row = 0; row < kVisible; ++row)
            QCOMPARE(started.at(row), model.pathAt(row));
        QVERIFY(mostInFlight <= kMaxInFlight);
        QCOMPARE(cache.stats().decoded, kVisible);
        QCOMPARE(cache.stats().diskWrites, kVisible);
        QCOMPARE(cache.inFlightCount(), 0);
        QCOMPARE(cache.pendingCount(), 0);
        for (int row = 0; row < kVisible; ++row) {
            QCOMPARE(stateOf(model, row), ThumbnailState::Ready);
            const QImage thumbnail = model.index(row).data(Qt::DecorationRole).value<QPixmap>().toImage();
            QCOMPARE(thumbnail.size(), QSize(16, 16)); // never enlarged
            QCOMPARE(thumbnail.pixelColor(8, 8), colorOf(kCount - 1 - row));
        }
        QCOMPARE(stateOf(model, kVisible), ThumbnailState::Loading);
        // Asked again: from memory, no new job.
        for (int row = 0; row < kVisible; ++row)
            QCOMPARE(requestThumbnail(model, row), ThumbnailState::Ready);
        QCOMPARE(cache.stats().jobsStarted, kVisible);

        // Another run (a new cache over the same folder): the disk cache answers, nothing is decoded.
        ThumbnailCache again(m_cache, smallThumbnails(kMaxInFlight));
        GalleryModel secondModel(again);
        QVERIFY(listed(secondModel, m_images));
        QCOMPARE(secondModel.rowCount(), kCount);
        ChangedRows changedAgain(secondModel);
        for (int row = 0; row < kVisible; ++row)
            QCOMPARE(requestThumbnail(secondModel, row), ThumbnailState::Loading);
        QTRY_COMPARE_WITH_TIMEOUT(changedAgain.rows.size(), kVisible, 60000);
        QCOMPARE(again.stats().diskHits, kVisible);
        QCOMPARE(again.stats().decoded, 0);
        for (int row = 0; row < kVisible; ++row) {
            const QImage thumbnail = secondModel.index(row).data(Qt::DecorationRole).value<QPixmap>().toImage();
            QCOMPARE(thumbnail.pixelColor(8, 8), colorOf(kCount - 1 - row));
        }
    }

    void queueKeepsTheLatestRequests() {
        for (int i = 0; i < 20; ++i)
            QVERIFY(writeImage(m_images + QStringLiteral("/%1.png").arg(i, 2, 10, QLatin1Char('0')), colorOf(i),
                               kBase.addSecs(-i)));
        ThumbnailCache::Options options = smallThumbnails(1);
        options.maxPending = 5;
        ThumbnailCache cache(m_cache, options);
        GalleryModel model(cache);
        QVERIFY(listed(model, m_images));
        QCOMPARE(model.rowCount(), 20);
        QList<int> started;
        connect(&cache, &ThumbnailCache::jobStarted, this,
                [&](const ThumbnailKey& key) { started << model.rowOfPath(key.path); });

        // A view scrolled through everything, then stopped at the last five rows.
        for (int row = 0; row < 20; ++row)
            requestThumbnail(model, row);
        QCOMPARE(started, QList<int>{0});
        QCOMPARE(cache.pendingCount(), 5);
        QCOMPARE(cache.stats().dropped, 14);
        QCoreApplication::processEvents(); // the next pass of the event loop
        for (int row = 15; row < 20; ++row)
            requestThumbnail(model, row);
        QTRY_COMPARE(cache.pendingCount() + cache.inFlightCount(), 0);
        const int first = static_cast<int>(started.indexOf(15));
        QVERIFY(first > 0);
        QCOMPARE(started.mid(first), (QList<int>{15, 16, 17, 18, 19}));
        for (int row = 6; row < 15; ++row)
            QVERIFY2(!started.contains(row), qPrintable(QString::number(row)));
        QCOMPARE(stateOf(model, 10), ThumbnailState::Loading);
    }

    void switchingFoldersAndShuttingDownWhileBusy() {
        const QString other = m_dir->filePath(QStringLiteral("other"));
        QVERIFY(QDir().mkpath(other));
        for (int i = 0; i < 30; ++i)
            QVERIFY(writeImage(m_images + QStringLiteral("/a%1.png").arg(i), colorOf(i), kBase.addSecs(i)));
        QVERIFY(writeImage(other + QStringLiteral("/b.png"), Qt::red, kBase));
        auto cache = std::make_unique<ThumbnailCache>(m_cache, smallThumbnails(2));
        auto model = std::make_unique<GalleryModel>(*cache);
        // The first folder's listing is still running when the second is asked for: only the second shows.
        model->setFolder(m_images);
        QVERIFY(listed(*model, other));
        QCOMPARE(namesOf(*model), QStringList{QStringLiteral("b.png")});
        QVERIFY(listed(*model, m_images));
        QCOMPARE(model->rowCount(), 30);
        // Thumbnails in flight and a listing running when both go away: they wait for their workers.
        for (int row = 0; row < model->rowCount(); ++row)
            requestThumbnail(*model, row);
        model->refresh();
        QVERIFY(cache->inFlightCount() > 0);
        model.reset();
        cache.reset();
    }

    void largeImageIsScaledToTheEdge() {
        QImage wide(400, 100, QImage::Format_RGB32);
        wide.fill(Qt::darkGreen);
        QVERIFY(wide.save(m_images + QStringLiteral("/wide.png")));
        ThumbnailCache cache(m_cache, smallThumbnails());
        GalleryModel model(cache);
        QVERIFY(listed(model, m_images));
        QTRY_COMPARE(requestThumbnail(model, 0), ThumbnailState::Ready);
        const auto pixmap = model.index(0).data(Qt::DecorationRole).value<QPixmap>();
        QCOMPARE(pixmap.size(), QSize(64, 16));
        QCOMPARE(QDir(m_cache).entryList(QDir::Files).size(), 1);
    }

    void corruptFilesGetTheUnreadablePlaceholder() {
        QVERIFY(writeBytes(m_images + QStringLiteral("/garbage.png"), QByteArray(3000, 'x')));
        QVERIFY(writeBytes(m_images + QStringLiteral("/empty.png"), {}));
        const QByteArray png = pngBytes(Qt::red, 96);
        QVERIFY(writeBytes(m_images + QStringLiteral("/cut.png"), png.left(png.size() / 2)));
        QVERIFY(writeImage(m_images + QStringLiteral("/fine.png"), Qt::blue));
        for (const QString& name : {QStringLiteral("garbage.png"), QStringLiteral("empty.png"),
                                    QStringLiteral("cut.png"), QStringLiteral("fine.png")})
            QVERIFY(setModified(m_images + QLatin1Char('/') + name, kBase));

        ThumbnailCache cache(m_cache, smallThumbnails());
        GalleryModel model(cache);
        QVERIFY(listed(model, m_images));
        QCOMPARE(model.rowCount(), 4);
        ChangedRows changed(model);
        for (int row = 0; row < model.rowCount(); ++row)
            requestThumbnail(model, row);
        QTRY_COMPARE(changed.rows.size(), 4);
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex at = model.index(row);
            const QString name = at.data(GalleryModel::FileNameRole).toString();
            if (name == QStringLiteral("fine.png")) {
                QCOMPARE(stateOf(model, row), ThumbnailState::Ready);
                QVERIFY(at.data(GalleryModel::ThumbnailErrorRole).toString().isEmpty());
                continue;
            }
            QCOMPARE(stateOf(model, row), ThumbnailState::Unreadable);
            const QString why = at.data(GalleryModel::ThumbnailErrorRole).toString();
            QVERIFY2(why.contains(name), qPrintable(why));
            QCOMPARE(at.data(Qt::ToolTipRole).toString(), why);
            QCOMPARE(at.data(Qt::DecorationRole).value<QPixmap>().cacheKey(), cache.unreadablePlaceholder().cacheKey());
        }
        QCOMPARE(cache.stats().failures, 3);
        // Failures are remembered for that version of the file, and never written to disk.
        const int jobs = cache.stats().jobsStarted;
        for (int row = 0; row < model.rowCount(); ++row)
            requestThumbnail(model, row);
        QCOMPARE(cache.stats().jobsStarted, jobs);
        QCOMPARE(QDir(m_cache).entryList(QDir::Files).size(), 1);
    }

    void missingFolderIsReportedAndFollowed() {
        const QString folder = m_dir->filePath(QStringLiteral("later"));
        ThumbnailCache cache(m_cache, smallThumbnails());
        GalleryModel model(cache);
        QSignalSpy errors(&model, &GalleryModel::errorChanged);
        QVERIFY(listed(model, folder));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.errorString().contains(QDir::toNativeSeparators(folder)));
        QCOMPARE(errors.count(), 1);

        QVERIFY(QDir().mkpath(folder));
        QVERIFY(writeImageAtomically(folder + QStringLiteral("/first.png"), Qt::red));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 10000);
        QVERIFY(model.errorString().isEmpty());
    }

    void moveToTrash() {
        // The trash of a temporary home: the test leaves the user's own alone.
        const QByteArray home = qgetenv("HOME");
        const QByteArray dataHome = qgetenv("XDG_DATA_HOME");
        const auto restore = qScopeGuard([&] {
            qputenv("HOME", home);
            if (dataHome.isNull())
                qunsetenv("XDG_DATA_HOME");
            else
                qputenv("XDG_DATA_HOME", dataHome);
        });
        qputenv("HOME", QFile::encodeName(m_dir->path()));
        QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("data"))));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_dir->filePath(QStringLiteral("data"))));
        const QString probe = m_dir->filePath(QStringLiteral("probe.png"));
        QVERIFY(writeImage(probe, Qt::black));
        QFile probeFile(probe);
        if (!probeFile.moveToTrash())
            QSKIP(qPrintable(QStringLiteral("this platform has no trash here: ") + probeFile.errorString()));

        QVERIFY(writeImage(m_images + QStringLiteral("/keep.png"), Qt::red, kBase));
        QVERIFY(writeImage(m_images + QStringLiteral("/bin.png"), Qt::green, kBase.addSecs(10)));
        ThumbnailCache cache(m_cache, smallThumbnails());
        GalleryModel model(cache);
        QVERIFY(listed(model, m_images));
        QCOMPARE(namesOf(model), (QStringList{QStringLiteral("bin.png"), QStringLiteral("keep.png")}));
        QTRY_COMPARE(requestThumbnail(model, 0), ThumbnailState::Ready);
        QCOMPARE(QDir(m_cache).entryList(QDir::Files).size(), 1);

        QString error;
        QVERIFY2(model.moveToTrash(0, &error), qPrintable(error));
        QCOMPARE(namesOf(model), QStringList{QStringLiteral("keep.png")}); // at once, not a listing later
        QVERIFY(!QFile::exists(m_images + QStringLiteral("/bin.png")));
        QCOMPARE(QDir(m_cache).entryList(QDir::Files).size(), 0); // its thumbnail went with it
#ifdef Q_OS_LINUX
        QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("data/Trash/files/bin.png"))));
#endif

        QVERIFY(!model.moveToTrash(7, &error));
        QVERIFY(!error.isEmpty());
        QString trashed;
        QVERIFY(!zimage::ui::moveFileToTrash(m_images + QStringLiteral("/gone.png"), &error, &trashed));
        QVERIFY2(error.contains(QStringLiteral("gone.png")), qPrintable(error));
    }

    void readsImageParameters() {
        zimage::GenerationRequest request;
        request.prompts = {"一只橘猫坐在窗台上, golden hour"};
        request.seed = 12345;
        request.steps = 9;
        request.width = 1024;
        request.height = 768;
        zimage::output::PngImage png;
        png.width = 2;
        png.height = 2;
        png.rgb.assign(2 * 2 * 3, 128);
        const std::string parameters = zimage::output::a1111Parameters(request, 0, "Z-Image-Turbo");
        png.texts = {{std::string(zimage::output::kParametersKey), parameters},
                     {std::string(zimage::output::kRequestJsonKey),
                      zimage::output::imageMetadata(request, 0, "Z-Image-Turbo", "zimage-studio 0.1.0").dump()}};
        const QString path = m_images + QStringLiteral("/made.png");
        zimage::output::writePng(QFile::encodeName(path).toStdString(), png);

        const auto found = zimage::ui::readImageParameters(path);
        QVERIFY2(found.ok, qPrintable(found.error));
        QCOMPARE(found.imported.source, zimage::output::ParametersSource::ZimageJson);
        QCOMPARE(found.imported.request.seed, std::uint64_t(12345));
        QCOMPARE(found.imported.request.prompts, request.prompts);
        QCOMPARE(found.text, QString::fromStdString(parameters));

        // Only the JSON chunk: the text is made from it.
        png.texts.erase(png.texts.begin());
        zimage::output::writePng(QFile::encodeName(path).toStdString(), png);
        const auto fromJson = zimage::ui::readImageParameters(path);
        QVERIFY2(fromJson.ok, qPrintable(fromJson.error));
        QCOMPARE(fromJson.text, QString::fromStdString(parameters));

        QVERIFY(writeImage(m_images + QStringLiteral("/plain.png"), Qt::red));
        const auto plain = zimage::ui::readImageParameters(m_images + QStringLiteral("/plain.png"));
        QVERIFY(!plain.ok);
        QVERIFY2(plain.error.contains(QStringLiteral("plain.png")), qPrintable(plain.error));

        QVERIFY(writeBytes(m_images + QStringLiteral("/garbage.png"), QByteArray(100, 'x')));
        const auto garbage = zimage::ui::readImageParameters(m_images + QStringLiteral("/garbage.png"));
        QVERIFY(!garbage.ok);
        QVERIFY2(garbage.error.contains(QStringLiteral("garbage.png")), qPrintable(garbage.error));

        const auto photo = zimage::ui::readImageParameters(m_images + QStringLiteral("/photo.jpg"));
        QVERIFY(!photo.ok);
        QVERIFY(!photo.error.isEmpty());
    }

    void defaultDiskCacheFolder() {
#ifdef Q_OS_LINUX
        const QByteArray saved = qgetenv("XDG_CACHE_HOME");
        const auto restore = qScopeGuard([&] {
            if (saved.isNull())
                qunsetenv("XDG_CACHE_HOME");
            else
                qputenv("XDG_CACHE_HOME", saved);
        });
        qputenv("XDG_CACHE_HOME", QFile::encodeName(m_dir->path()));
        QCOMPARE(ThumbnailCache::defaultDiskCacheFolder(), m_dir->path() + QStringLiteral("/zimage-studio/thumbnails"));
        qunsetenv("XDG_CACHE_HOME");
        QCOMPARE(ThumbnailCache::defaultDiskCacheFolder(),
                 QDir::homePath() + QStringLiteral("/.cache/zimage-studio/thumbnails"));
#else
        QSKIP("the XDG cache folder is Linux's");
#endif
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_images;
    QString m_cache;
};

QTEST_MAIN(TestGalleryModel)
#include "test_gallery_model.moc"
