#pragma once
// The gallery tab: the output folder's images as a grid of thumbnails, newest first, following the folder as images
// appear or go (GalleryModel), with a viewer window and the actions on the selected images: open, reveal in the file
// manager, copy parameters, reuse parameters, move to the trash.
//
// Nothing here blocks the GUI thread on files: the model lists the folder and the ThumbnailCache makes thumbnails
// in the background, only for the items the view shows; parameters are read and files trashed on a worker thread.

#include "output/parameters_import.h"
#include "thumbnail_cache.h"

#include <QPointer>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QWidget>

#include <functional>
#include <memory>
#include <vector>

class QAction;
class QLabel;
class QListView;
class QSlider;
class QStackedWidget;

namespace zimage::ui {

class GalleryModel;
class ImageViewer;
struct ImageParameters;

class GalleryPanel : public QWidget {
    Q_OBJECT

public:
    // The thumbnail slider's range and start, pixels (the cache's edge caps the largest).
    static constexpr int kMinThumbnailSize = 64;
    static constexpr int kDefaultThumbnailSize = 160;
    static constexpr int kMaxThumbnailSize = 256;

    // Asked before more than one image goes to the trash, with their paths; true goes ahead.
    using TrashConfirmation = std::function<bool(const QStringList& paths)>;

    // `folder`: the output folder. Thumbnails come from a cache of the panel's own, kept on disk in
    // ThumbnailCache::defaultDiskCacheFolder().
    explicit GalleryPanel(const QString& folder, QWidget* parent = nullptr);
    // Thumbnails come from `thumbnails` (which must outlive the panel), shared with the history panel, say.
    GalleryPanel(ThumbnailCache& thumbnails, const QString& folder, QWidget* parent = nullptr);
    ~GalleryPanel() override;

    // Shows another folder (closing the viewer, whose images were the old folder's).
    void setFolder(const QString& folder);
    QString folder() const;

    GalleryModel* model() const { return m_model; }
    QListView* view() const { return m_view; }
    // The viewer window, while one is open.
    ImageViewer* viewer() const { return m_viewer; }
    // The selected images' paths, in gallery order.
    QStringList selectedPaths() const;

    // Replaces the question asked before trashing several images (a message box); tests answer it themselves.
    void setTrashConfirmation(TrashConfirmation confirm);

    int thumbnailSize() const { return m_thumbnailSize; }
    void setThumbnailSize(int size);

public Q_SLOTS:
    // Opens the viewer on the current image.
    void openCurrent();
    // Opens the viewer on `path` and selects it; false when the gallery does not list it.
    bool openImage(const QString& path);
    void revealCurrent();
    void copyParameters();
    void reuseParameters();
    void trashSelected();

Q_SIGNALS:
    // "Reuse parameters" (here or in the viewer): the form should take these, read from the image at `path`.
    void parametersRequested(const zimage::output::ImportedParameters& parameters, const QString& path);
    // What an action did, for the status bar.
    void statusMessage(const QString& message);

private:
    enum class ParametersUse { Copy, Reuse };
    struct TrashResult {
        ThumbnailKey key;
        bool ok = false;
        QString error;
    };

    GalleryPanel(std::unique_ptr<ThumbnailCache> own, ThumbnailCache* shared, const QString& folder, QWidget* parent);
    void buildActions();
    void buildLayout();
    void openViewer(int row);
    void readParameters(ParametersUse use);
    void parametersRead(ParametersUse use, const QString& path, const ImageParameters& found);
    void trashed(const std::vector<TrashResult>& results);
    void forgetGoneThumbnails();
    void updateState();
    void updateActions();

    std::unique_ptr<ThumbnailCache> m_ownThumbnails; // when not given one; before m_thumbnails, which may name it
    ThumbnailCache& m_thumbnails;
    GalleryModel* m_model = nullptr;
    QListView* m_view = nullptr;
    QLabel* m_message = nullptr; // the empty and error states
    QStackedWidget* m_stack = nullptr;
    QLabel* m_count = nullptr;
    QSlider* m_sizeSlider = nullptr;
    QAction* m_open = nullptr;
    QAction* m_reveal = nullptr;
    QAction* m_copyParameters = nullptr;
    QAction* m_reuse = nullptr;
    QAction* m_trash = nullptr;
    QPointer<ImageViewer> m_viewer;
    TrashConfirmation m_confirmTrash;
    std::vector<ThumbnailKey> m_trashedKeys; // trashed files whose rows the model still lists
    int m_thumbnailSize = kDefaultThumbnailSize;
    bool m_listed = false; // the folder's first listing arrived
    QThreadPool m_pool;    // last: destroyed (drained) first, before the members its jobs' results go to
};

} // namespace zimage::ui
