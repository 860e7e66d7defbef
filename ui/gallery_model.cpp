#include "gallery_model.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QLoggingCategory>
#include <QMimeData>
#include <QUrl>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace zimage::ui {
namespace {

Q_LOGGING_CATEGORY(lcGallery, "zimage.ui.gallery")

} // namespace

GalleryModel::GalleryModel(ThumbnailCache& thumbnails, QObject* parent)
    : QAbstractListModel(parent)
    , m_thumbnails(thumbnails)
    , m_suffixes(galleryImageSuffixes())
    , m_cancel(std::make_shared<std::atomic_bool>(false)) {
    m_pool.setMaxThreadCount(1);
    m_rescanTimer.setSingleShot(true);
    m_rescanTimer.setInterval(kRescanDelayMs);
    m_followUpTimer.setSingleShot(true);
    connect(&m_rescanTimer, &QTimer::timeout, this, &GalleryModel::startScan);
    connect(&m_followUpTimer, &QTimer::timeout, this, &GalleryModel::startScan);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
        // Not restarted while active: a folder that keeps changing is still listed every kRescanDelayMs.
        if (!m_rescanTimer.isActive())
            m_rescanTimer.start();
    });
    connect(&m_thumbnails, &ThumbnailCache::thumbnailReady, this, &GalleryModel::thumbnailChanged);
    connect(&m_thumbnails, &ThumbnailCache::thumbnailFailed, this, [this](const ThumbnailKey& key) {
        thumbnailChanged(key);
        scheduleFollowUp(QDateTime::currentMSecsSinceEpoch());
    });
    connect(&m_thumbnails, &ThumbnailCache::sourceChanged, this, [this](const QString& path) {
        if (!m_folder.isEmpty() && path.startsWith(m_prefix) && !m_rescanTimer.isActive())
            m_rescanTimer.start();
    });
}

GalleryModel::~GalleryModel() {
    m_cancel->store(true);
    m_pool.clear();
    m_pool.waitForDone();
}

void GalleryModel::setFolder(const QString& folder) {
    m_cancel->store(true);
    m_cancel = std::make_shared<std::atomic_bool>(false);
    ++m_generation;
    m_scanRunning = false;
    m_rescanQueued = false;
    m_listed = false;
    m_rescanTimer.stop();
    m_followUpTimer.stop();
    if (!m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());

    beginResetModel();
    m_files.clear();
    m_folder = folder.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    m_prefix = m_folder.endsWith(QLatin1Char('/')) ? m_folder : m_folder + QLatin1Char('/');
    endResetModel();
    setError({});
    if (!m_folder.isEmpty())
        startScan();
}

void GalleryModel::refresh() {
    if (!m_folder.isEmpty())
        startScan();
}

void GalleryModel::startScan() {
    if (m_folder.isEmpty())
        return;
    if (m_scanRunning) {
        m_rescanQueued = true;
        return;
    }
    m_scanRunning = true;
    m_rescanTimer.stop();
    m_followUpTimer.stop();
    // Before listing, so that a change made during the listing still starts another one.
    watchFolder();
    const int generation = m_generation;
    const auto cancel = m_cancel;
    const QString folder = m_folder;
    const QStringList suffixes = m_suffixes;
    // The destructor drains the pool, so `this` outlives the queued call the job posts.
    m_pool.start([this, generation, cancel, folder, suffixes] {
        auto scan = std::make_shared<GalleryScan>(scanGalleryFolder(folder, suffixes, *cancel));
        QMetaObject::invokeMethod(
            this, [this, generation, scan] { scanned(generation, scan); }, Qt::QueuedConnection);
    });
}

void GalleryModel::scanned(int generation, const std::shared_ptr<GalleryScan>& scan) {
    if (generation != m_generation)
        return; // a listing of a folder shown before
    m_scanRunning = false;
    if (scan->ok) {
        setError({});
        if (m_listed) {
            applyScan(std::move(scan->files));
        } else {
            beginResetModel();
            m_files = std::move(scan->files);
            endResetModel();
        }
    } else {
        setError(scan->error);
        applyScan({});
    }
    m_listed = true;
    Q_EMIT scanFinished();
    if (m_rescanQueued) {
        m_rescanQueued = false;
        startScan();
    } else if (!scan->ok) {
        // The folder is gone or unreadable, and a watcher cannot follow what is not there: look again later.
        m_followUpTimer.start(kUnreadablePollMs);
    } else {
        scheduleFollowUp(scan->startedAt);
    }
}

void GalleryModel::watchFolder() {
    if (m_watcher.directories().isEmpty() && QFileInfo(m_folder).isDir() && !m_watcher.addPath(m_folder))
        qCWarning(lcGallery) << "cannot watch" << m_folder << "for changes; listing it every" << kUnwatchedPollMs
                             << "ms instead";
}

void GalleryModel::applyScan(std::vector<GalleryFile> files) {
    QHash<QString, int> fresh;
    fresh.reserve(static_cast<qsizetype>(files.size()));
    for (std::size_t i = 0; i < files.size(); ++i)
        fresh.insert(files[i].name, static_cast<int>(i));
    QHash<QString, int> known;
    known.reserve(static_cast<qsizetype>(m_files.size()));
    std::vector<int> removed;
    std::vector<std::pair<GalleryFile, GalleryFile>> changed; // (listed, now)
    for (std::size_t row = 0; row < m_files.size(); ++row) {
        const GalleryFile& file = m_files[row];
        known.insert(file.name, static_cast<int>(row));
        const auto it = fresh.constFind(file.name);
        if (it == fresh.cend())
            removed.push_back(static_cast<int>(row));
        else if (!files[static_cast<std::size_t>(*it)].sameVersion(file))
            changed.emplace_back(file, files[static_cast<std::size_t>(*it)]);
    }
    std::vector<GalleryFile> added;
    for (const GalleryFile& file : files) {
        if (!known.contains(file.name))
            added.push_back(file);
    }
    const std::size_t changes = removed.size() + changed.size() + added.size();
    if (changes == 0)
        return;
    if (changes > static_cast<std::size_t>(kResetThreshold)) {
        beginResetModel();
        m_files = std::move(files);
        endResetModel();
        return;
    }
    removeRows(std::move(removed));
    for (const auto& [listed, now] : changed)
        updateRow(rowOf(listed), now);
    insertFiles(added);
}

void GalleryModel::removeRows(std::vector<int> rows) {
    // Bottom up, one signal per run of adjacent rows.
    std::sort(rows.begin(), rows.end());
    while (!rows.empty()) {
        const int last = rows.back();
        int first = last;
        rows.pop_back();
        while (!rows.empty() && rows.back() == first - 1) {
            first = rows.back();
            rows.pop_back();
        }
        beginRemoveRows({}, first, last);
        m_files.erase(m_files.begin() + first, m_files.begin() + last + 1);
        endRemoveRows();
    }
}

void GalleryModel::updateRow(int row, const GalleryFile& file) {
    if (row < 0)
        return;
    // Where `file` goes among the other rows (the list without `row` is still in order).
    const auto at = std::lower_bound(m_files.begin(), m_files.end(), file, galleryNewerFirst);
    const int found = static_cast<int>(at - m_files.begin());
    const int target = found > row ? found - 1 : found;
    if (target != row) {
        beginMoveRows({}, row, row, {}, target > row ? target + 1 : target);
        m_files.erase(m_files.begin() + row);
        m_files.insert(m_files.begin() + target, file);
        endMoveRows();
    } else {
        m_files[static_cast<std::size_t>(row)] = file;
    }
    Q_EMIT dataChanged(index(target), index(target));
}

void GalleryModel::insertFiles(const std::vector<GalleryFile>& files) {
    // `files` is in gallery order, so files that go before the same listed row are adjacent there: one insert each.
    std::vector<std::pair<int, std::vector<GalleryFile>>> runs;
    for (const GalleryFile& file : files) {
        const int at = static_cast<int>(std::lower_bound(m_files.begin(), m_files.end(), file, galleryNewerFirst) -
                                        m_files.begin());
        if (runs.empty() || runs.back().first != at)
            runs.emplace_back(at, std::vector<GalleryFile>{});
        runs.back().second.push_back(file);
    }
    // Bottom up, so that the positions of the runs above stay valid.
    for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
        const int first = run->first;
        beginInsertRows({}, first, first + static_cast<int>(run->second.size()) - 1);
        m_files.insert(m_files.begin() + first, run->second.begin(), run->second.end());
        endInsertRows();
    }
}

void GalleryModel::scheduleFollowUp(qint64 now) {
    int interval = 0;
    for (const GalleryFile& file : m_files) { // newest first
        const qint64 age = now - file.modified;
        if (age <= -kSettleMs)
            continue; // dated in the future (another clock): its time says nothing about writing
        if (age < kSettleMs) {
            interval = kSettlePollMs;
            break;
        }
        if (age >= kUnreadableFollowMs)
            break;
        if (m_thumbnails.peek(keyOf(file)).state == ThumbnailState::Unreadable) {
            interval = kUnreadablePollMs;
            break; // the files after this one are older: none is settling
        }
    }
    if (interval == 0 && m_watcher.directories().isEmpty())
        interval = kUnwatchedPollMs; // the watcher refused the folder (no inotify watch left, say)
    if (interval > 0 && !m_scanRunning && (!m_followUpTimer.isActive() || m_followUpTimer.remainingTime() > interval))
        m_followUpTimer.start(interval);
}

void GalleryModel::setError(const QString& error) {
    if (error == m_error)
        return;
    m_error = error;
    Q_EMIT errorChanged(m_error);
}

void GalleryModel::thumbnailChanged(const ThumbnailKey& key) {
    if (m_folder.isEmpty() || !key.path.startsWith(m_prefix))
        return;
    const QString name = key.path.mid(m_prefix.size());
    if (name.contains(QLatin1Char('/')))
        return;
    const int row = rowOf({name, key.size, key.modified});
    if (row >= 0) {
        const QModelIndex at = index(row);
        Q_EMIT dataChanged(at, at, {Qt::DecorationRole, Qt::ToolTipRole, ThumbnailStateRole, ThumbnailErrorRole});
    }
}

int GalleryModel::rowOf(const GalleryFile& file) const {
    const auto at = std::lower_bound(m_files.begin(), m_files.end(), file, galleryNewerFirst);
    if (at == m_files.end() || at->name != file.name || !at->sameVersion(file))
        return -1;
    return static_cast<int>(at - m_files.begin());
}

int GalleryModel::rowOfPath(const QString& path) const {
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (m_folder.isEmpty() || !clean.startsWith(m_prefix))
        return -1;
    const QString name = clean.mid(m_prefix.size());
    const auto at = std::find_if(m_files.begin(), m_files.end(), [&](const GalleryFile& f) { return f.name == name; });
    return at == m_files.end() ? -1 : static_cast<int>(at - m_files.begin());
}

QString GalleryModel::pathAt(int row) const {
    if (row < 0 || row >= rowCount())
        return {};
    return pathOf(m_files[static_cast<std::size_t>(row)]);
}

ThumbnailKey GalleryModel::thumbnailKeyAt(int row) const {
    if (row < 0 || row >= rowCount())
        return {};
    return keyOf(m_files[static_cast<std::size_t>(row)]);
}

QString GalleryModel::pathOf(const GalleryFile& file) const {
    return m_prefix + file.name;
}

ThumbnailKey GalleryModel::keyOf(const GalleryFile& file) const {
    return {pathOf(file), file.size, file.modified};
}

bool GalleryModel::moveToTrash(int row, QString* error) {
    if (row < 0 || row >= rowCount()) {
        if (error)
            *error = tr("There is no such image in the gallery.");
        return false;
    }
    const GalleryFile file = m_files[static_cast<std::size_t>(row)];
    if (!moveFileToTrash(pathOf(file), error))
        return false;
    m_thumbnails.forget(keyOf(file));
    // The watcher would remove the row too, a listing later; the view should not show a deleted image meanwhile.
    const int at = rowOf(file);
    if (at >= 0)
        removeRows({at});
    return true;
}

int GalleryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_files.size());
}

QVariant GalleryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.parent().isValid() || index.row() >= rowCount())
        return {};
    const GalleryFile& file = m_files[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case FileNameRole:
        return file.name;
    case Qt::DecorationRole:
        return m_thumbnails.lookup(keyOf(file)).pixmap;
    case Qt::ToolTipRole:
        return toolTip(file, m_thumbnails.peek(keyOf(file)));
    case PathRole:
        return pathOf(file);
    case ModifiedRole:
        return QDateTime::fromMSecsSinceEpoch(file.modified);
    case SizeRole:
        return file.size;
    case ThumbnailStateRole:
        return static_cast<int>(m_thumbnails.peek(keyOf(file)).state);
    case ThumbnailErrorRole:
        return m_thumbnails.peek(keyOf(file)).error;
    default:
        return {};
    }
}

QString GalleryModel::toolTip(const GalleryFile& file, const Thumbnail& thumbnail) const {
    if (thumbnail.state == ThumbnailState::Unreadable)
        return thumbnail.error;
    const QLocale locale;
    // ISO order reads the same in every language the app has (as the history panel writes it).
    return tr("%1\n%2 · %3")
        .arg(file.name, QDateTime::fromMSecsSinceEpoch(file.modified).toString(QStringLiteral("yyyy-MM-dd HH:mm")),
             locale.formattedDataSize(file.size));
}

QHash<int, QByteArray> GalleryModel::roleNames() const {
    auto names = QAbstractListModel::roleNames();
    names.insert({{PathRole, "path"},
                  {FileNameRole, "fileName"},
                  {ModifiedRole, "modified"},
                  {SizeRole, "size"},
                  {ThumbnailStateRole, "thumbnailState"},
                  {ThumbnailErrorRole, "thumbnailError"}});
    return names;
}

Qt::ItemFlags GalleryModel::flags(const QModelIndex& index) const {
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled | Qt::ItemNeverHasChildren;
}

QStringList GalleryModel::mimeTypes() const {
    return {QStringLiteral("text/uri-list")};
}

QMimeData* GalleryModel::mimeData(const QModelIndexList& indexes) const {
    QList<QUrl> urls;
    for (const QModelIndex& at : indexes) {
        if (at.isValid() && at.row() < rowCount())
            urls << QUrl::fromLocalFile(pathAt(at.row()));
    }
    if (urls.isEmpty())
        return nullptr;
    auto* mime = new QMimeData;
    mime->setUrls(urls);
    return mime;
}

} // namespace zimage::ui
