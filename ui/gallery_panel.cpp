#include "gallery_panel.h"

#include "gallery_files.h"
#include "gallery_model.h"
#include "image_viewer.h"
#include "panel_action.h"
#include "reveal_in_file_manager.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QSlider>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>
#include <utility>

namespace zimage::ui {
namespace {

// Rows laid out per pass of the event loop while the view places thousands of items.
constexpr int kLayoutBatch = 200;

// Draws each thumbnail inside a square of the view's icon size, scaled down and centred, so that names line up
// under thumbnails of any aspect. (QStyledItemDelegate would size the decoration to the pixmap's own size.)
class ThumbnailDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override {
        const QSize box = option->decorationSize; // the view's icon size
        QStyledItemDelegate::initStyleOption(option, index);
        option->decorationSize = box;
    }
};

} // namespace

GalleryPanel::GalleryPanel(const QString& folder, QWidget* parent)
    : GalleryPanel(std::make_unique<ThumbnailCache>(ThumbnailCache::defaultDiskCacheFolder()), nullptr, folder,
                   parent) {}

GalleryPanel::GalleryPanel(ThumbnailCache& thumbnails, const QString& folder, QWidget* parent)
    : GalleryPanel(nullptr, &thumbnails, folder, parent) {}

GalleryPanel::GalleryPanel(std::unique_ptr<ThumbnailCache> own, ThumbnailCache* shared, const QString& folder,
                           QWidget* parent)
    : QWidget(parent)
    , m_ownThumbnails(std::move(own))
    , m_thumbnails(shared ? *shared : *m_ownThumbnails)
    , m_model(new GalleryModel(m_thumbnails, this)) {
    qRegisterMetaType<zimage::output::ImportedParameters>();
    setObjectName(QStringLiteral("galleryPanel"));
    m_pool.setMaxThreadCount(1);
    m_confirmTrash = [this](const QStringList& paths) {
        const auto answer = QMessageBox::question(
            this, tr("Move to trash"), tr("Move the %n selected images to the trash?", nullptr, int(paths.size())),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
        return answer == QMessageBox::Yes;
    };
    buildActions();
    buildLayout();

    connect(m_model, &GalleryModel::scanFinished, this, [this] {
        m_listed = true;
        forgetGoneThumbnails();
        updateState();
    });
    connect(m_model, &GalleryModel::errorChanged, this, &GalleryPanel::updateState);
    connect(m_model, &GalleryModel::rowsInserted, this, &GalleryPanel::updateState);
    connect(m_model, &GalleryModel::rowsRemoved, this, &GalleryPanel::updateState);
    connect(m_model, &GalleryModel::modelReset, this, &GalleryPanel::updateState);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &GalleryPanel::updateActions);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &GalleryPanel::updateActions);
    connect(m_view, &QListView::activated, this, [this](const QModelIndex& index) { openViewer(index.row()); });
    setFolder(folder);
}

GalleryPanel::~GalleryPanel() {
    // The jobs post to this panel; then the viewer (which follows the model) and the model (which uses the cache, our
    // own one included) go before the members and children they refer to.
    m_pool.clear();
    m_pool.waitForDone();
    delete m_viewer;
    m_view->setModel(nullptr);
    delete m_model;
}

void GalleryPanel::buildActions() {
    m_open = makePanelAction(this, tr("Open"), QStringLiteral("galleryOpen"), {}, &GalleryPanel::openCurrent);
    m_reveal =
        makePanelAction(this, tr("Show in folder"), QStringLiteral("galleryReveal"), {}, &GalleryPanel::revealCurrent);
    m_copyParameters = makePanelAction(this, tr("Copy parameters"), QStringLiteral("galleryCopyParameters"),
                                       QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), &GalleryPanel::copyParameters);
    m_reuse = makePanelAction(this, tr("Reuse parameters"), QStringLiteral("galleryReuseParameters"), {},
                              &GalleryPanel::reuseParameters);
    m_trash = makePanelAction(this, tr("Move to trash"), QStringLiteral("galleryTrash"), QKeySequence::Delete,
                              &GalleryPanel::trashSelected);
    m_open->setIcon(QIcon::fromTheme(QStringLiteral("document-open")));
    m_reveal->setIcon(QIcon::fromTheme(QStringLiteral("folder-open")));
    m_trash->setIcon(QIcon::fromTheme(QStringLiteral("user-trash")));
}

void GalleryPanel::buildLayout() {
    m_view = new QListView(this);
    m_view->setObjectName(QStringLiteral("galleryView"));
    m_view->setViewMode(QListView::IconMode);
    m_view->setMovement(QListView::Static);
    m_view->setResizeMode(QListView::Adjust);
    // One size for every item, so that laying out 5,000 rows asks no row for its thumbnail: only painting does,
    // and only the items on screen are painted.
    m_view->setUniformItemSizes(true);
    m_view->setLayoutMode(QListView::Batched);
    m_view->setBatchSize(kLayoutBatch);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionRectVisible(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Dragging images out gives their files (other apps; our own window's drop restores their parameters).
    m_view->setDragEnabled(true);
    m_view->setDragDropMode(QAbstractItemView::DragOnly);
    m_view->setDefaultDropAction(Qt::CopyAction);
    m_view->setItemDelegate(new ThumbnailDelegate(m_view));
    m_view->setModel(m_model);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* separator = new QAction(this);
    separator->setSeparator(true);
    m_view->addActions({m_open, m_reveal, separator, m_copyParameters, m_reuse});
    auto* separator2 = new QAction(this);
    separator2->setSeparator(true);
    m_view->addActions({separator2, m_trash});

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("galleryMessage"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setMargin(24);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_message);

    auto* toolBar = new QToolBar(this);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addActions({m_open, m_reveal, m_copyParameters, m_reuse, m_trash});
    for (QAction* action : {m_open, m_reveal, m_copyParameters, m_reuse, m_trash})
        toolBar->widgetForAction(action)->setObjectName(action->objectName() + QStringLiteral("Button"));
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("galleryCount"));
    m_sizeSlider = new QSlider(Qt::Horizontal, this);
    m_sizeSlider->setObjectName(QStringLiteral("thumbnailSizeSlider"));
    m_sizeSlider->setToolTip(tr("Thumbnail size"));
    // Thumbnails are made at the cache's edge; larger would only blur them.
    m_sizeSlider->setRange(kMinThumbnailSize,
                           std::max(kMinThumbnailSize, std::min(kMaxThumbnailSize, m_thumbnails.edge())));
    m_sizeSlider->setSingleStep(16);
    m_sizeSlider->setPageStep(32);
    m_sizeSlider->setMaximumWidth(160);
    connect(m_sizeSlider, &QSlider::valueChanged, this, &GalleryPanel::setThumbnailSize);

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 8, 0);
    top->addWidget(toolBar, 1);
    top->addWidget(m_count);
    top->addSpacing(12);
    top->addWidget(m_sizeSlider);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(top);
    layout->addWidget(m_stack, 1);

    m_sizeSlider->setValue(std::clamp(kDefaultThumbnailSize, m_sizeSlider->minimum(), m_sizeSlider->maximum()));
    setThumbnailSize(m_sizeSlider->value());
}

void GalleryPanel::setThumbnailSize(int size) {
    m_thumbnailSize = std::clamp(size, m_sizeSlider->minimum(), m_sizeSlider->maximum());
    if (m_sizeSlider->value() != m_thumbnailSize)
        m_sizeSlider->setValue(m_thumbnailSize); // comes back here once
    m_view->setIconSize(QSize(m_thumbnailSize, m_thumbnailSize));
    // Room for the thumbnail, one line of file name under it, and a gap.
    const int gap = 16;
    m_view->setGridSize(QSize(m_thumbnailSize + gap, m_thumbnailSize + m_view->fontMetrics().height() + gap));
}

void GalleryPanel::setFolder(const QString& folder) {
    if (m_viewer)
        m_viewer->close();
    m_listed = false;
    m_trashedKeys.clear();
    m_model->setFolder(folder);
    updateState();
    updateActions();
}

QString GalleryPanel::folder() const {
    return m_model->folder();
}

void GalleryPanel::setTrashConfirmation(TrashConfirmation confirm) {
    m_confirmTrash = std::move(confirm);
}

QStringList GalleryPanel::selectedPaths() const {
    QModelIndexList rows = m_view->selectionModel()->selectedIndexes();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    QStringList paths;
    for (const QModelIndex& index : rows)
        paths << m_model->pathAt(index.row());
    return paths;
}

void GalleryPanel::updateState() {
    const int count = m_model->rowCount();
    const QString folder = QDir::toNativeSeparators(m_model->folder());
    QString message;
    if (!m_model->errorString().isEmpty())
        message = tr("%1\nThe gallery shows the folder as soon as it can be read.").arg(m_model->errorString());
    else if (count == 0 && m_model->folder().isEmpty())
        message = tr("No output folder is set.");
    else if (count == 0 && !m_listed)
        message = tr("Looking for images in %1…").arg(folder);
    else if (count == 0)
        message = tr("No images yet. Generated images are saved to %1.").arg(folder);
    m_message->setText(message);
    m_stack->setCurrentWidget(message.isEmpty() ? static_cast<QWidget*>(m_view) : m_message);
    m_count->setText(count > 0 ? tr("%n image(s)", nullptr, count) : QString());
    updateActions();
}

void GalleryPanel::updateActions() {
    const bool hasCurrent = m_view->currentIndex().isValid();
    const bool hasSelection = m_view->selectionModel()->hasSelection();
    for (QAction* action : {m_open, m_reveal, m_copyParameters, m_reuse})
        action->setEnabled(hasCurrent);
    m_trash->setEnabled(hasSelection);
}

void GalleryPanel::openCurrent() {
    if (m_view->currentIndex().isValid())
        openViewer(m_view->currentIndex().row());
}

bool GalleryPanel::openImage(const QString& path) {
    const int row = m_model->rowOfPath(path);
    if (row < 0)
        return false;
    m_view->setCurrentIndex(m_model->index(row));
    m_view->scrollTo(m_model->index(row));
    openViewer(row);
    return true;
}

void GalleryPanel::openViewer(int row) {
    if (!m_viewer) {
        m_viewer = new ImageViewer(*m_model, row, this);
        m_viewer->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_viewer, &ImageViewer::parametersRequested, this, &GalleryPanel::parametersRequested);
        connect(m_viewer, &ImageViewer::statusMessage, this, &GalleryPanel::statusMessage);
        connect(m_viewer, &ImageViewer::imageTrashed, this, [this](const QString& path) {
            const int at = m_model->rowOfPath(path);
            if (at >= 0)
                m_trashedKeys.push_back(m_model->thumbnailKeyAt(at));
        });
    } else {
        m_viewer->showRow(row);
    }
    m_viewer->show();
    m_viewer->raise();
    m_viewer->activateWindow();
}

void GalleryPanel::revealCurrent() {
    const QModelIndex current = m_view->currentIndex();
    QString error;
    if (current.isValid() && !revealInFileManager(m_model->pathAt(current.row()), &error))
        Q_EMIT statusMessage(error);
}

void GalleryPanel::copyParameters() {
    readParameters(ParametersUse::Copy);
}

void GalleryPanel::reuseParameters() {
    readParameters(ParametersUse::Reuse);
}

void GalleryPanel::readParameters(ParametersUse use) {
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const QString path = m_model->pathAt(current.row());
    // The destructor drains the pool, so `this` outlives the queued call the job posts.
    m_pool.start([this, use, path] {
        auto found = std::make_shared<ImageParameters>(readImageParameters(path));
        QMetaObject::invokeMethod(
            this, [this, use, path, found] { parametersRead(use, path, *found); }, Qt::QueuedConnection);
    });
}

void GalleryPanel::parametersRead(ParametersUse use, const QString& path, const ImageParameters& found) {
    if (!found.ok) {
        Q_EMIT statusMessage(found.error);
        return;
    }
    if (use == ParametersUse::Copy) {
        QApplication::clipboard()->setText(found.text);
        Q_EMIT statusMessage(tr("Copied the image's parameters."));
    } else {
        Q_EMIT parametersRequested(found.imported, path);
    }
}

void GalleryPanel::trashSelected() {
    const QStringList paths = selectedPaths();
    if (paths.isEmpty() || (paths.size() > 1 && !m_confirmTrash(paths)))
        return;
    std::vector<TrashResult> jobs;
    for (const QString& path : paths)
        jobs.push_back({m_model->thumbnailKeyAt(m_model->rowOfPath(path)), false, {}});
    // Renames and small writes, but on a slow or network disk a few hundred of them would stall the window.
    m_pool.start([this, jobs]() mutable {
        for (TrashResult& job : jobs)
            job.ok = moveFileToTrash(job.key.path, &job.error);
        QMetaObject::invokeMethod(
            this, [this, jobs] { trashed(jobs); }, Qt::QueuedConnection);
    });
}

void GalleryPanel::trashed(const std::vector<TrashResult>& results) {
    int moved = 0;
    QStringList errors;
    for (const TrashResult& result : results) {
        if (result.ok) {
            ++moved;
            m_trashedKeys.push_back(result.key);
        } else {
            errors << result.error;
        }
    }
    // The rows go when the model's watcher sees the files go (a listing later).
    if (errors.isEmpty())
        Q_EMIT statusMessage(tr("Moved %n image(s) to the trash.", nullptr, moved));
    else if (errors.size() == 1)
        Q_EMIT statusMessage(errors.front());
    else
        Q_EMIT statusMessage(tr("%n images could not be moved to the trash. The first: %1", nullptr, int(errors.size()))
                                 .arg(errors.front()));
}

void GalleryPanel::forgetGoneThumbnails() {
    // Forgotten only once their rows are gone: a row still shown would ask for its thumbnail again, of a file that
    // is not there.
    std::erase_if(m_trashedKeys, [this](const ThumbnailKey& key) {
        if (m_model->rowOfPath(key.path) >= 0)
            return false;
        m_thumbnails.forget(key);
        return true;
    });
}

} // namespace zimage::ui
