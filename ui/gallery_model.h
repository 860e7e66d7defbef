#pragma once
// The gallery's list: the images of the output folder, newest first (gallery_files.h: galleryNewerFirst), with
// their thumbnails from a ThumbnailCache.
//
// Listing runs off the GUI thread (a folder may hold thousands of images). A QFileSystemWatcher keeps the list live:
// a change in the folder starts a new listing, and the difference comes out as row inserts, removals and moves, or a
// reset when most of the folder changed. A file that is still being written (other programs do not write through a
// rename as ours do) is listed again every half second until its time stamp is a few seconds old, and a recent file
// whose thumbnail failed is listed again every two seconds for a minute: each new size or time stamp is a new file
// version with a new thumbnail, so a half-written file does not keep a broken one.
//
// Thumbnails are made only for the rows a view asks Qt::DecorationRole of; a view should not ask it of every row
// (QListView: setUniformItemSizes(true), so that layout does not call the delegate's sizeHint for each row).

#include "gallery_files.h"
#include "thumbnail_cache.h"

#include <QAbstractListModel>
#include <QFileSystemWatcher>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <memory>
#include <vector>

namespace zimage::ui {

class GalleryModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum Role {
        PathRole = Qt::UserRole + 1, // QString: absolute path
        FileNameRole,                // QString
        ModifiedRole,                // QDateTime, local time
        SizeRole,                    // qint64: bytes
        ThumbnailStateRole,          // int: ThumbnailState
        ThumbnailErrorRole,          // QString: why there is no thumbnail; empty unless Unreadable
    };

    // A listing again at most this often while the folder keeps changing.
    static constexpr int kRescanDelayMs = 100;
    // Files modified less than this long ago may still be being written: listed again every kSettlePollMs.
    static constexpr qint64 kSettleMs = 3000;
    static constexpr int kSettlePollMs = 500;
    // Files modified less than this long ago whose thumbnail failed: listed again every kUnreadablePollMs.
    static constexpr qint64 kUnreadableFollowMs = 60000;
    static constexpr int kUnreadablePollMs = 2000;
    // Listed this often when the folder cannot be watched.
    static constexpr int kUnwatchedPollMs = 5000;
    // More row changes than this in one listing reset the model instead.
    static constexpr int kResetThreshold = 500;

    explicit GalleryModel(ThumbnailCache& thumbnails, QObject* parent = nullptr);
    ~GalleryModel() override;

    // Shows `folder` (empty: nothing): clears the rows, lists it in the background (scanFinished), then follows it.
    void setFolder(const QString& folder);
    QString folder() const { return m_folder; }
    // A listing is running.
    bool isScanning() const { return m_scanRunning; }
    // Why the last listing failed (the folder does not exist, cannot be read); empty when it did not.
    QString errorString() const { return m_error; }
    // Lists the folder again now (changes are followed without it).
    void refresh();

    int rowOfPath(const QString& path) const;
    QString pathAt(int row) const;
    ThumbnailKey thumbnailKeyAt(int row) const;

    // Moves the image of `row` to the trash and removes its row at once (its thumbnails too). False with `error`
    // set (a translated sentence) when it cannot.
    bool moveToTrash(int row, QString* error);

    int rowCount(const QModelIndex& parent = {}) const override;
    // DisplayRole: the file name. DecorationRole: the thumbnail, or a placeholder at once (loading, or unreadable);
    // asking for it requests the thumbnail. ToolTipRole: why it is unreadable, else the name, time and size.
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    // Dragging images out gives their file URLs (other apps, and our own window's "drop a PNG to reuse it").
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;

Q_SIGNALS:
    // A listing finished and the rows show it (the first one after setFolder fills the model).
    void scanFinished();
    // errorString() changed.
    void errorChanged(const QString& error);

private:
    void startScan();
    void scanned(int generation, const std::shared_ptr<GalleryScan>& scan);
    void applyScan(std::vector<GalleryFile> files);
    void removeRows(std::vector<int> rows);
    void updateRow(int row, const GalleryFile& file);
    void insertFiles(const std::vector<GalleryFile>& files);
    void scheduleFollowUp(qint64 now);
    void watchFolder();
    void setError(const QString& error);
    void thumbnailChanged(const ThumbnailKey& key);

    int rowOf(const GalleryFile& file) const;
    QString pathOf(const GalleryFile& file) const;
    ThumbnailKey keyOf(const GalleryFile& file) const;
    QString toolTip(const GalleryFile& file, const Thumbnail& thumbnail) const;

    ThumbnailCache& m_thumbnails;
    QString m_folder; // absolute, clean; empty: none
    QString m_prefix; // m_folder with a trailing '/'
    QStringList m_suffixes;
    std::vector<GalleryFile> m_files; // gallery order
    QString m_error;
    QFileSystemWatcher m_watcher;
    QTimer m_rescanTimer;   // debounces the watcher
    QTimer m_followUpTimer; // settling and failed recent files
    int m_generation = 0;   // bumped by setFolder: older listings are ignored
    bool m_scanRunning = false;
    bool m_rescanQueued = false;
    bool m_listed = false; // the folder's first listing arrived
    std::shared_ptr<std::atomic_bool> m_cancel;
    QThreadPool m_pool; // one thread: listings; last, so destroyed (drained) first
};

} // namespace zimage::ui
