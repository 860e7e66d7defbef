#pragma once
// The history tab: every generated image with its parameters (HistoryStore), searchable by prompt text, seed or date
// (YYYY-MM-DD), newest first and loaded a page at a time (HistoryModel). Each row shows the image's thumbnail (from
// the ThumbnailCache the gallery shares), the prompt, seed, size, steps and date, and a "file missing" mark when the
// image is gone; such an entry still reproduces.
//
// Actions: Reproduce (restore every parameter in the form), Regenerate (run the same request again, which gives the
// same pixels on the same model, device and precision), Open image, Copy seed, Copy prompt, Remove from history (the
// image file stays).
//
// The store is SQLite on the GUI thread (its design: small indexed queries); whether image files exist is checked on a
// worker thread as rows come into view.

#include "history_entry.h"
#include "thumbnail_cache.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QThreadPool>
#include <QWidget>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QAction;
class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTimer;

namespace zimage::ui {

class HistoryModel;
class HistoryStore;

class HistoryPanel : public QWidget {
    Q_OBJECT

public:
    // Typing pauses this long before the list is searched.
    static constexpr int kSearchDelayMs = 250;
    // The thumbnail's box in a row, logical pixels.
    static constexpr int kThumbnailSize = 72;

    // What is known of an entry's image file.
    enum class FileState { Unknown, Present, Missing };
    struct FileInfo {
        FileState state = FileState::Unknown;
        qint64 size = 0;
        qint64 modified = 0; // ms since the epoch
        int checkedIn = -1;  // the check round that found this
    };

    // `store` (open, or the panel says why not) must outlive the panel. Thumbnails come from a cache of the panel's
    // own, kept on disk in ThumbnailCache::defaultDiskCacheFolder().
    explicit HistoryPanel(HistoryStore& store, QWidget* parent = nullptr);
    // Thumbnails come from `thumbnails` (which must outlive the panel), shared with the gallery, say.
    HistoryPanel(HistoryStore& store, ThumbnailCache& thumbnails, QWidget* parent = nullptr);
    ~HistoryPanel() override;

    HistoryModel* model() const { return m_model; }
    QListView* view() const { return m_view; }
    QLineEdit* searchField() const { return m_search; }
    std::optional<HistoryEntry> currentEntry() const;

    // What is known of the file at `path`; an unknown or outdated one is checked in the background (fileChecked).
    FileInfo fileInfo(const QString& path);
    // The thumbnail of an image file known to be present, or a placeholder.
    QPixmap thumbnailFor(const QString& path);

public Q_SLOTS:
    // Searches for `text` now (as typing in the field does after kSearchDelayMs).
    void search(const QString& text);
    void reproduceCurrent();
    void regenerateCurrent();
    void openCurrentImage();
    void copyCurrentSeed();
    void copyCurrentPrompt();
    void removeCurrent();
    // Looks at the image files again (they may have been deleted or restored meanwhile); the panel does it when shown.
    void recheckFiles();

Q_SIGNALS:
    void reproduceRequested(const zimage::ui::HistoryEntry& entry);
    void regenerateRequested(const zimage::ui::HistoryEntry& entry);
    void openImageRequested(const QString& path);
    // What an action did, for the status bar.
    void statusMessage(const QString& message);
    // A round of file checks came back.
    void filesChecked();

protected:
    void showEvent(QShowEvent* event) override;

private:
    HistoryPanel(HistoryStore& store, std::unique_ptr<ThumbnailCache> own, ThumbnailCache* shared, QWidget* parent);
    void buildActions();
    void buildLayout();
    void checkQueuedFiles();
    void filesStated(const std::vector<std::pair<QString, FileInfo>>& results);
    void updateState();
    void updateActions();

    HistoryStore& m_store;
    std::unique_ptr<ThumbnailCache> m_ownThumbnails; // when not given one; before m_thumbnails, which may name it
    ThumbnailCache& m_thumbnails;
    HistoryModel* m_model = nullptr;
    QLineEdit* m_search = nullptr;
    QTimer* m_searchTimer = nullptr;
    QListView* m_view = nullptr;
    QLabel* m_message = nullptr;
    QStackedWidget* m_stack = nullptr;
    QAction* m_reproduce = nullptr;
    QAction* m_regenerate = nullptr;
    QAction* m_openImage = nullptr;
    QAction* m_copySeed = nullptr;
    QAction* m_copyPrompt = nullptr;
    QAction* m_remove = nullptr;
    QHash<QString, FileInfo> m_files;
    QSet<QString> m_queued;   // asked for, not checked yet
    QSet<QString> m_checking; // being checked
    int m_round = 0;          // bumped by recheckFiles(): what was found before is outdated
    bool m_checkScheduled = false;
    QThreadPool m_pool; // last: destroyed (drained) first, before the members its jobs' results go to
};

} // namespace zimage::ui
