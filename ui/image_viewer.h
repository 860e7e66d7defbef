#pragma once
// A window that shows one image of the gallery large: zoom (fit to the window, 100 %, in and out), pan, next and
// previous in the gallery's order (newest first), the generation parameters it carries, and the gallery's actions
// (copy image or parameters, reuse parameters, reveal, move to the trash).
//
// The image and its parameters are read off the GUI thread; "Loading…" shows meanwhile. The viewer follows the model:
// when the shown image's row goes (deleted here or elsewhere), the image that took its place shows, so "delete" moves
// on to the next one.

#include "output/parameters_import.h"

#include <QImage>
#include <QPersistentModelIndex>
#include <QString>
#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <memory>

class QAction;
class QFormLayout;
class QLabel;
class QTimer;
class QToolBar;

namespace zimage::ui {

class GalleryModel;
class ZoomableImageView;

class ImageViewer : public QWidget {
    Q_OBJECT

public:
    // How long a message in the viewer's status line stays.
    static constexpr int kMessageMs = 4000;

    // Shows `row` of `model` (which must outlive the viewer). A top-level window even with a parent (which only ties
    // their lifetimes and stacking together).
    ImageViewer(GalleryModel& model, int row, QWidget* parent = nullptr);
    ~ImageViewer() override;

    // -1 when the gallery is empty.
    int currentRow() const;
    QString currentPath() const;
    // The image shown; null while loading or when it could not be read.
    QImage image() const { return m_image; }
    bool isLoading() const { return m_loading; }
    // The scale the image is drawn at (1 = 100 %), and whether it follows the window's size.
    double zoom() const;
    bool isFitToWindow() const;
    // The parameters of the image shown, once read (ImageParameters::ok false when it carries none).
    bool hasParameters() const { return m_parametersOk; }
    QString parametersText() const { return m_parametersText; }

public Q_SLOTS:
    void showRow(int row);
    void showNext();
    void showPrevious();
    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void zoomToActualSize();
    void copyImage();
    void copyParameters();
    void reuseParameters();
    void revealInFileManager();
    void moveToTrash();

Q_SIGNALS:
    // The image of `path` was read (or failed to be: the viewer says why) and is shown.
    void imageLoaded(const QString& path);
    // Its parameters were read (or found missing).
    void parametersLoaded(const QString& path);
    // "Reuse parameters": the form should take these, read from the image at `path`.
    void parametersRequested(const zimage::output::ImportedParameters& parameters, const QString& path);
    // The file went to the trash.
    void imageTrashed(const QString& path);
    // What an action did, for a status bar (the viewer shows it too).
    void statusMessage(const QString& message);

private:
    struct Loaded;
    struct ReadParameters;

    void buildActions();
    void buildLayout();
    void load();
    void imageRead(int generation, const std::shared_ptr<Loaded>& loaded);
    void parametersRead(int generation, const std::shared_ptr<ReadParameters>& read);
    void showParameters();
    void trashed(const QString& path, bool ok, const QString& error);
    void followRemoval(int first, int last);
    void followReset();
    void updateTitleAndActions();
    void say(const QString& message);
    QAction* makeAction(const QString& text, const QString& name, const QString& icon, const QList<QKeySequence>& keys,
                        void (ImageViewer::*slot)());
    void showEmpty();

    GalleryModel& m_model;
    QPersistentModelIndex m_current;
    QString m_path;            // the file shown (or being read)
    int m_removedAt = -1;      // the row of the shown image while the model removes it
    int m_rowBeforeReset = -1; // the row shown when the model began a reset

    QImage m_image;
    bool m_loading = false;
    bool m_parametersOk = false;
    bool m_parametersPending = false; // being read
    QString m_parametersText;
    zimage::output::ImportedParameters m_parameters;
    QString m_parametersError;
    int m_generation = 0;                      // bumped per image shown: older reads are ignored
    std::shared_ptr<std::atomic_int> m_latest; // the generation reads should still run for

    QToolBar* m_toolBar = nullptr;
    ZoomableImageView* m_view = nullptr;
    QLabel* m_notice = nullptr; // "Loading…", "Cannot read…", "No images."
    QFormLayout* m_form = nullptr;
    QLabel* m_prompt = nullptr;
    QLabel* m_negative = nullptr;
    QLabel* m_seed = nullptr;
    QLabel* m_steps = nullptr;
    QLabel* m_size = nullptr;
    QLabel* m_guidance = nullptr;
    QLabel* m_modelName = nullptr;
    QLabel* m_file = nullptr;
    QLabel* m_parametersNote = nullptr; // why there are none
    QLabel* m_zoomLabel = nullptr;
    QLabel* m_status = nullptr;
    QTimer* m_statusTimer = nullptr;
    QAction* m_previous = nullptr;
    QAction* m_next = nullptr;
    QAction* m_zoomIn = nullptr;
    QAction* m_zoomOut = nullptr;
    QAction* m_fitAction = nullptr;
    QAction* m_actualSize = nullptr;
    QAction* m_copyImage = nullptr;
    QAction* m_copyParameters = nullptr;
    QAction* m_reuse = nullptr;
    QAction* m_reveal = nullptr;
    QAction* m_trash = nullptr;
    QThreadPool m_pool; // last: destroyed (drained) first, before the members its jobs' results go to
};

} // namespace zimage::ui
