#include "thumbnail_cache.h"

#include <QColor>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QLoggingCategory>
#include <QPainter>
#include <QPen>
#include <QSaveFile>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

#include <algorithm>

namespace zimage::ui {
namespace {

Q_LOGGING_CATEGORY(lcThumbnails, "zimage.ui.thumbnails")

QImage scaledToEdge(const QImage& image, int edge) {
    if (image.width() <= edge && image.height() <= edge)
        return image;
    return image.scaled(edge, edge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

// The source decoded and scaled to fit `edge`; a null image with `error` set when it cannot be read.
QImage decodeSource(const QString& path, int edge, QString& error) {
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    // JPEG decodes straight to a fraction of its size; other formats are scaled after a full decode.
    if (size.isValid() && (size.width() > edge || size.height() > edge) &&
        reader.supportsOption(QImageIOHandler::ScaledSize))
        reader.setScaledSize(size.scaled(edge, edge, Qt::KeepAspectRatio));
    QImage image;
    if (!reader.read(&image) || image.isNull()) {
        error = QCoreApplication::translate("zimage::ui::ThumbnailCache", "Cannot read “%1”: %2.")
                    .arg(QFileInfo(path).fileName(), reader.errorString());
        return {};
    }
    image = scaledToEdge(image, edge);
    return image.convertToFormat(image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
}

bool sameVersionOnDisk(const ThumbnailKey& key) {
    const QFileInfo info(key.path);
    return info.exists() && info.size() == key.size && info.lastModified().toMSecsSinceEpoch() == key.modified;
}

QPixmap drawPlaceholder(int edge, bool unreadable) {
    QPixmap pixmap(edge, edge);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal margin = edge / 16.0;
    const QRectF box(margin, margin, edge - 2 * margin, edge - 2 * margin);
    // Mid grey with alpha reads as a neutral tile on light and dark themes alike.
    painter.setPen(QPen(QColor(128, 128, 128, 110), std::max(1.0, edge / 128.0)));
    painter.setBrush(QColor(128, 128, 128, 50));
    painter.drawRoundedRect(box, edge / 24.0, edge / 24.0);
    if (unreadable) {
        // A crossed-out frame: "there is a file here, its picture could not be made".
        const QRectF mark = box.adjusted(box.width() / 3, box.height() / 3, -box.width() / 3, -box.height() / 3);
        painter.setPen(QPen(QColor(192, 57, 43, 200), std::max(2.0, edge / 40.0), Qt::SolidLine, Qt::RoundCap));
        painter.drawLine(mark.topLeft(), mark.bottomRight());
        painter.drawLine(mark.topRight(), mark.bottomLeft());
    }
    return pixmap;
}

} // namespace

size_t qHash(const ThumbnailKey& key, size_t seed) noexcept {
    return qHashMulti(seed, key.path, key.size, key.modified);
}

struct ThumbnailCache::Result {
    ThumbnailKey key;
    QImage image;
    QString error;
    bool fromDisk = false;
    bool decoded = false;
    bool wroteDisk = false;
    bool changed = false; // the file is not the version `key` names (any more): nothing to cache
};

QString ThumbnailCache::defaultDiskCacheFolder() {
    // On Linux the generic cache location is $XDG_CACHE_HOME, else ~/.cache.
    return QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) +
           QStringLiteral("/zimage-studio/thumbnails");
}

ThumbnailCache::ThumbnailCache(QString diskCacheFolder, QObject* parent)
    : ThumbnailCache(std::move(diskCacheFolder), Options{}, parent) {}

ThumbnailCache::ThumbnailCache(QString diskCacheFolder, Options options, QObject* parent)
    : QObject(parent)
    , m_diskFolder(std::move(diskCacheFolder))
    , m_options(options) {
    qRegisterMetaType<ThumbnailKey>();
    m_options.edge = std::max(m_options.edge, 16);
    if (m_options.maxInFlight <= 0)
        m_options.maxInFlight = std::clamp(QThread::idealThreadCount(), 2, kDefaultMaxInFlight);
    m_options.maxPending = std::max(m_options.maxPending, 1);
    m_memory.setMaxCost(std::max<qint64>(m_options.memoryBytes / 1024, 1));
    m_pool.setMaxThreadCount(m_options.maxInFlight);
}

ThumbnailCache::~ThumbnailCache() {
    m_pool.clear();
    m_pool.waitForDone();
}

Thumbnail ThumbnailCache::lookup(const ThumbnailKey& key) {
    Thumbnail thumbnail = peek(key);
    if (thumbnail.state == ThumbnailState::Loading)
        request(key);
    return thumbnail;
}

Thumbnail ThumbnailCache::peek(const ThumbnailKey& key) const {
    if (const QPixmap* pixmap = m_memory.object(key))
        return {ThumbnailState::Ready, *pixmap, {}};
    if (const auto failure = m_failures.constFind(key); failure != m_failures.cend())
        return {ThumbnailState::Unreadable, unreadablePlaceholder(), *failure};
    return {ThumbnailState::Loading, loadingPlaceholder(), {}};
}

void ThumbnailCache::request(const ThumbnailKey& key) {
    if (key.path.isEmpty() || m_memory.contains(key) || m_failures.contains(key) || m_inFlight.contains(key))
        return;
    // The requests of one pass of the event loop (one paint of a view) go first, in the order they were made, so
    // the rows on screen fill top to bottom before the rows of earlier passes.
    if (m_pendingSet.contains(key)) {
        const auto at = std::find(m_pending.begin(), m_pending.end(), key);
        if (at - m_pending.begin() < m_batchCount)
            return; // already asked for in this pass
        m_pending.erase(at);
    } else {
        m_pendingSet.insert(key);
    }
    m_pending.insert(m_pending.begin() + m_batchCount, key);
    ++m_batchCount;
    if (!m_batchEnds) {
        m_batchEnds = true;
        QTimer::singleShot(0, this, [this] {
            m_batchCount = 0;
            m_batchEnds = false;
        });
    }
    while (static_cast<int>(m_pending.size()) > m_options.maxPending) {
        m_pendingSet.remove(m_pending.back());
        m_pending.pop_back();
        ++m_stats.dropped;
    }
    m_batchCount = std::min(m_batchCount, static_cast<int>(m_pending.size()));
    pump();
}

void ThumbnailCache::forget(const ThumbnailKey& key) {
    m_memory.remove(key);
    m_failures.remove(key);
    if (m_pendingSet.remove(key)) {
        const auto at = std::find(m_pending.begin(), m_pending.end(), key);
        if (at - m_pending.begin() < m_batchCount)
            --m_batchCount;
        m_pending.erase(at);
    }
    if (m_inFlight.contains(key))
        m_forgotten.insert(key);
    if (!m_diskFolder.isEmpty())
        QFile::remove(diskFileFor(key));
}

void ThumbnailCache::pump() {
    while (!m_pending.empty() && inFlightCount() < m_options.maxInFlight) {
        const ThumbnailKey key = m_pending.front();
        m_pending.pop_front();
        m_pendingSet.remove(key);
        m_batchCount = std::max(m_batchCount - 1, 0);
        start(key);
    }
}

void ThumbnailCache::start(const ThumbnailKey& key) {
    m_inFlight.insert(key);
    ++m_stats.jobsStarted;
    const QString diskFile = m_diskFolder.isEmpty() ? QString() : diskFileFor(key);
    const QString diskFolder = m_diskFolder;
    const int edge = m_options.edge;
    // The job captures values only; the destructor waits for it, so `this` outlives the queued call it posts.
    m_pool.start([this, key, diskFile, diskFolder, edge] {
        Result result;
        result.key = key;
        if (!diskFile.isEmpty() && QFileInfo::exists(diskFile)) {
            QImageReader cached(diskFile, "png");
            if (cached.read(&result.image) && !result.image.isNull())
                result.fromDisk = true;
            else
                qCWarning(lcThumbnails) << "the cached thumbnail" << diskFile << "is unreadable; remaking it";
        }
        if (!result.fromDisk) {
            result.decoded = true;
            result.image = decodeSource(key.path, edge, result.error);
            result.changed = !sameVersionOnDisk(key);
            if (!result.changed && !result.image.isNull() && !diskFile.isEmpty()) {
                QDir().mkpath(diskFolder);
                QSaveFile file(diskFile);
                if (file.open(QIODevice::WriteOnly) && QImageWriter(&file, "png").write(result.image) && file.commit())
                    result.wroteDisk = true;
                else
                    qCWarning(lcThumbnails) << "could not write the thumbnail" << diskFile << file.errorString();
            }
        }
        QMetaObject::invokeMethod(
            this, [this, result] { finish(result); }, Qt::QueuedConnection);
    });
    Q_EMIT jobStarted(key);
}

void ThumbnailCache::finish(const Result& result) {
    const ThumbnailKey& key = result.key;
    m_inFlight.remove(key);
    m_stats.decoded += result.decoded ? 1 : 0;
    m_stats.diskHits += result.fromDisk ? 1 : 0;
    m_stats.diskWrites += result.wroteDisk ? 1 : 0;
    if (m_forgotten.remove(key)) {
        if (result.wroteDisk)
            QFile::remove(diskFileFor(key));
    } else if (result.changed) {
        Q_EMIT sourceChanged(key.path);
    } else if (result.image.isNull()) {
        ++m_stats.failures;
        if (m_failures.size() >= kMaxFailures)
            m_failures.clear(); // old versions of rewritten files, mostly; the rest are remade when asked for
        m_failures.insert(key, result.error);
        Q_EMIT thumbnailFailed(key, result.error);
    } else {
        const QPixmap pixmap = QPixmap::fromImage(result.image);
        const qint64 cost = std::max<qint64>(qint64(pixmap.width()) * pixmap.height() * 4 / 1024, 1);
        m_memory.insert(key, new QPixmap(pixmap), cost);
        Q_EMIT thumbnailReady(key);
    }
    pump();
}

QString ThumbnailCache::diskFileFor(const ThumbnailKey& key) const {
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(key.path.toUtf8());
    const QByteArray version = '\n' + QByteArray::number(key.size) + '\n' + QByteArray::number(key.modified) + '\n' +
                               QByteArray::number(m_options.edge);
    hash.addData(version);
    return m_diskFolder + QLatin1Char('/') + QString::fromLatin1(hash.result().toHex()) + QStringLiteral(".png");
}

QPixmap ThumbnailCache::loadingPlaceholder() const {
    if (m_loading.isNull())
        m_loading = drawPlaceholder(m_options.edge, false);
    return m_loading;
}

QPixmap ThumbnailCache::unreadablePlaceholder() const {
    if (m_unreadable.isNull())
        m_unreadable = drawPlaceholder(m_options.edge, true);
    return m_unreadable;
}

ThumbnailCache::Stats ThumbnailCache::stats() const {
    return m_stats;
}

} // namespace zimage::ui
