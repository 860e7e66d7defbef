#pragma once
// Thumbnails of image files, made off the GUI thread and cached in memory (LRU) and on disk.
//
// Only what is asked for is made: a view asks for the rows it shows (GalleryModel forwards data(DecorationRole) to
// lookup()), each file version at most once at a time, at most maxInFlight() decodes running; requests beyond that
// wait, the most recent first (what the view shows now), and the oldest are dropped past maxPending (a view scrolled
// past them asks again when it shows them again). Within the requests of one pass of the event loop (one paint),
// the first asked is made first.
//
// A file version is its path, size and modification time: a file rewritten in place gets a new thumbnail, and a
// failed decode (a file still being written, a corrupt one) is remembered only for that version. The disk cache
// holds <sha1 of path, size, mtime, edge>.png under the folder given to the constructor, each written atomically
// (QSaveFile); failures never reach it.
//
// Threading: use it on the GUI thread (it hands out QPixmaps); the decodes run on a private QThreadPool that the
// destructor drains.

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QPixmap>
#include <QSet>
#include <QString>
#include <QThreadPool>

#include <deque>

namespace zimage::ui {

struct ThumbnailKey {
    QString path; // absolute
    qint64 size = 0;
    qint64 modified = 0; // ms since the epoch

    friend bool operator==(const ThumbnailKey& a, const ThumbnailKey& b) {
        return a.size == b.size && a.modified == b.modified && a.path == b.path;
    }
};
size_t qHash(const ThumbnailKey& key, size_t seed = 0) noexcept;

enum class ThumbnailState {
    Loading,   // not made yet (queued, decoding, or dropped from the queue: asking again queues it)
    Ready,     // pixmap holds it
    Unreadable // the file could not be decoded; error says why
};

struct Thumbnail {
    ThumbnailState state = ThumbnailState::Loading;
    QPixmap pixmap; // the thumbnail when Ready, else the matching placeholder
    QString error;  // when Unreadable: a translated sentence ("Cannot read “a.png”: ...")
};

class ThumbnailCache : public QObject {
    Q_OBJECT

public:
    // Each decode holds a whole image (64 MiB at 4096 x 4096) and a core the generation may want.
    static constexpr int kDefaultMaxInFlight = 4;

    struct Options {
        int edge = 256;       // longest side of a thumbnail, pixels; never enlarged
        int maxInFlight = 0;  // decodes at once; 0: the number of cores, from 2 to kDefaultMaxInFlight
        int maxPending = 512; // queued requests kept
        qint64 memoryBytes = qint64(128) * 1024 * 1024; // the memory cache's budget
    };

    struct Stats {
        int jobsStarted = 0; // decodes started (each one a disk-cache read or a source decode)
        int decoded = 0;     // source images decoded (disk-cache misses)
        int diskHits = 0;    // thumbnails read back from the disk cache
        int diskWrites = 0;  // thumbnails written to the disk cache
        int failures = 0;    // unreadable files
        int dropped = 0;     // requests dropped from a full queue
    };

    // $XDG_CACHE_HOME/zimage-studio/thumbnails, else ~/.cache/zimage-studio/thumbnails (the platform's cache folder
    // elsewhere).
    static QString defaultDiskCacheFolder();

    // `diskCacheFolder`: where thumbnails persist (created when first written); empty: memory only.
    explicit ThumbnailCache(QString diskCacheFolder, QObject* parent = nullptr);
    ThumbnailCache(QString diskCacheFolder, Options options, QObject* parent = nullptr);
    ~ThumbnailCache() override;

    // The thumbnail of `key`, or a placeholder at once; a missing one is requested (see the top of this file) and
    // announced by thumbnailReady or thumbnailFailed.
    Thumbnail lookup(const ThumbnailKey& key);
    // lookup() without requesting anything.
    Thumbnail peek(const ThumbnailKey& key) const;
    void request(const ThumbnailKey& key);
    // Drops `key` from memory and disk (the file was deleted); a decode in flight is discarded when it returns.
    void forget(const ThumbnailKey& key);

    QPixmap loadingPlaceholder() const;
    QPixmap unreadablePlaceholder() const;

    QString diskCacheFolder() const { return m_diskFolder; }
    int edge() const { return m_options.edge; }
    int maxInFlight() const { return m_options.maxInFlight; }
    int inFlightCount() const { return static_cast<int>(m_inFlight.size()); }
    int pendingCount() const { return static_cast<int>(m_pending.size()); }
    Stats stats() const;

Q_SIGNALS:
    void thumbnailReady(const zimage::ui::ThumbnailKey& key);
    void thumbnailFailed(const zimage::ui::ThumbnailKey& key, const QString& error);
    // The file changed while it was decoded; nothing was cached. Whoever lists it should look at it again.
    void sourceChanged(const QString& path);
    // A decode started (for tests and diagnostics).
    void jobStarted(const zimage::ui::ThumbnailKey& key);

private:
    struct Result;
    static constexpr qsizetype kMaxFailures = 10000;

    void pump();
    void start(const ThumbnailKey& key);
    void finish(const Result& result);
    QString diskFileFor(const ThumbnailKey& key) const;

    QString m_diskFolder;
    Options m_options;
    QCache<ThumbnailKey, QPixmap> m_memory; // cost: KiB
    QHash<ThumbnailKey, QString> m_failures;
    QSet<ThumbnailKey> m_inFlight;
    QSet<ThumbnailKey> m_forgotten;     // in flight when forget() was called
    std::deque<ThumbnailKey> m_pending; // the most recent pass of requests first
    QSet<ThumbnailKey> m_pendingSet;
    int m_batchCount = 0;     // m_pending's first entries that this pass of the event loop requested
    bool m_batchEnds = false; // a zero timer ends the pass
    Stats m_stats;
    mutable QPixmap m_loading;
    mutable QPixmap m_unreadable;
    QThreadPool m_pool; // last: destroyed (drained) first
};

} // namespace zimage::ui

Q_DECLARE_METATYPE(zimage::ui::ThumbnailKey)
