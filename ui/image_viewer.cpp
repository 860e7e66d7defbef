#include "image_viewer.h"

#include "gallery_files.h"
#include "gallery_model.h"
#include "reveal_in_file_manager.h"
#include "zoomable_image_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QSplitter>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace zimage::ui {

struct ImageViewer::Loaded {
    QImage image;
    QString error;
};

struct ImageViewer::ReadParameters {
    ImageParameters parameters;
};

namespace {

// Blocking: runs on the viewer's worker thread.
QImage readImage(const QString& path, QString* error) {
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    if (image.isNull()) {
        *error = QCoreApplication::translate("zimage::ui::ImageViewer", "Cannot read “%1”: %2")
                     .arg(QFileInfo(path).fileName(), reader.errorString());
        return image;
    }
    // The formats the raster paint engine draws without converting, converted here rather than on the GUI thread.
    return image.convertToFormat(image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
}

QLabel* valueLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    // Prompts are user text: never read as markup.
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return label;
}

} // namespace

ImageViewer::ImageViewer(GalleryModel& model, int row, QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_model(model)
    , m_latest(std::make_shared<std::atomic_int>(0)) {
    qRegisterMetaType<zimage::output::ImportedParameters>();
    setObjectName(QStringLiteral("imageViewer"));
    m_pool.setMaxThreadCount(1);
    buildActions();
    buildLayout();
    resize(1200, 860);

    connect(&m_model, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this](const QModelIndex&, int first, int last) {
        const int shown = currentRow();
        if (shown >= first && shown <= last)
            m_removedAt = first;
    });
    connect(&m_model, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (m_removedAt < 0)
            return updateTitleAndActions();
        // The image that took the removed one's place: the next one (or the last, when it was at the end).
        const int next = m_removedAt;
        m_removedAt = -1;
        showRow(next);
    });
    connect(&m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_current.isValid())
            return showRow(0);
        updateTitleAndActions();
    });
    connect(&m_model, &QAbstractItemModel::rowsMoved, this, &ImageViewer::updateTitleAndActions);
    connect(&m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_rowBeforeReset = currentRow(); });
    connect(&m_model, &QAbstractItemModel::modelReset, this, &ImageViewer::followReset);
    connect(&m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& first, const QModelIndex& last, const QList<int>& roles) {
                // The model names no roles when a file was rewritten (a new version); thumbnails name theirs.
                const int shown = currentRow();
                if (roles.isEmpty() && shown >= first.row() && shown <= last.row())
                    load();
            });
    showRow(row);
}

ImageViewer::~ImageViewer() {
    m_latest->store(-1);
    m_pool.clear();
}

void ImageViewer::buildActions() {
    m_previous = makeAction(tr("Previous"), QStringLiteral("viewerPrevious"), QStringLiteral("go-previous"),
                            {Qt::Key_Left, Qt::Key_PageUp}, &ImageViewer::showPrevious);
    m_next = makeAction(tr("Next"), QStringLiteral("viewerNext"), QStringLiteral("go-next"),
                        {Qt::Key_Right, Qt::Key_PageDown}, &ImageViewer::showNext);
    m_zoomOut = makeAction(tr("Zoom out"), QStringLiteral("viewerZoomOut"), QStringLiteral("zoom-out"),
                           {Qt::Key_Minus, QKeySequence::ZoomOut}, &ImageViewer::zoomOut);
    m_zoomIn = makeAction(tr("Zoom in"), QStringLiteral("viewerZoomIn"), QStringLiteral("zoom-in"),
                          {Qt::Key_Plus, Qt::Key_Equal, QKeySequence::ZoomIn}, &ImageViewer::zoomIn);
    m_fitAction = makeAction(tr("Fit to window"), QStringLiteral("viewerZoomFit"), QStringLiteral("zoom-fit-best"),
                             {Qt::Key_0}, &ImageViewer::zoomToFit);
    m_actualSize = makeAction(tr("Actual size"), QStringLiteral("viewerZoomActual"), QStringLiteral("zoom-original"),
                              {Qt::Key_1}, &ImageViewer::zoomToActualSize);
    m_copyImage = makeAction(tr("Copy image"), QStringLiteral("viewerCopyImage"), QStringLiteral("edit-copy"),
                             {QKeySequence::Copy}, &ImageViewer::copyImage);
    m_copyParameters = makeAction(tr("Copy parameters"), QStringLiteral("viewerCopyParameters"), {},
                                  {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C)}, &ImageViewer::copyParameters);
    m_reuse = makeAction(tr("Reuse parameters"), QStringLiteral("viewerReuseParameters"), {}, {},
                         &ImageViewer::reuseParameters);
    m_reveal = makeAction(tr("Show in folder"), QStringLiteral("viewerReveal"), QStringLiteral("folder-open"), {},
                          &ImageViewer::revealInFileManager);
    m_trash = makeAction(tr("Move to trash"), QStringLiteral("viewerTrash"), QStringLiteral("user-trash"),
                         {QKeySequence::Delete}, &ImageViewer::moveToTrash);
    auto* close = new QAction(tr("Close"), this);
    close->setShortcut(Qt::Key_Escape);
    connect(close, &QAction::triggered, this, &QWidget::close);
    QWidget::addAction(close);
}

QAction* ImageViewer::makeAction(const QString& text, const QString& name, const QString& icon,
                                 const QList<QKeySequence>& keys, void (ImageViewer::*slot)()) {
    auto* action = new QAction(text, this);
    action->setObjectName(name);
    if (!icon.isEmpty())
        action->setIcon(QIcon::fromTheme(icon));
    action->setShortcuts(keys);
    if (!keys.isEmpty())
        action->setToolTip(tr("%1 (%2)").arg(text, keys.front().toString(QKeySequence::NativeText)));
    connect(action, &QAction::triggered, this, slot);
    QWidget::addAction(action); // the shortcuts work anywhere in the viewer's window
    return action;
}

void ImageViewer::buildLayout() {
    m_toolBar = new QToolBar(this);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addActions({m_previous, m_next});
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_zoomOut);
    m_zoomLabel = new QLabel(m_toolBar);
    m_zoomLabel->setObjectName(QStringLiteral("viewerZoomLabel"));
    m_zoomLabel->setAlignment(Qt::AlignCenter);
    m_zoomLabel->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("1600 %")) + 8);
    m_toolBar->addWidget(m_zoomLabel);
    m_toolBar->addActions({m_zoomIn, m_fitAction, m_actualSize});
    m_toolBar->addSeparator();
    m_toolBar->addActions({m_copyImage, m_copyParameters, m_reuse, m_reveal, m_trash});

    m_view = new ZoomableImageView(this);
    connect(m_view, &ZoomableImageView::zoomChanged, this,
            [this](double zoom) { m_zoomLabel->setText(tr("%1 %").arg(qRound(zoom * 100))); });
    m_notice = new QLabel(m_view->viewport());
    m_notice->setObjectName(QStringLiteral("viewerNotice"));
    m_notice->setTextFormat(Qt::PlainText);
    m_notice->setAlignment(Qt::AlignCenter);
    m_notice->setWordWrap(true);
    auto* noticeLayout = new QVBoxLayout(m_view->viewport());
    noticeLayout->addWidget(m_notice);

    auto* side = new QWidget(this);
    side->setObjectName(QStringLiteral("viewerParameters"));
    m_form = new QFormLayout(side);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_prompt = valueLabel(side);
    m_negative = valueLabel(side);
    m_seed = valueLabel(side);
    m_steps = valueLabel(side);
    m_size = valueLabel(side);
    m_guidance = valueLabel(side);
    m_modelName = valueLabel(side);
    m_file = valueLabel(side);
    m_parametersNote = valueLabel(side);
    m_prompt->setObjectName(QStringLiteral("viewerPrompt"));
    m_seed->setObjectName(QStringLiteral("viewerSeed"));
    m_parametersNote->setObjectName(QStringLiteral("viewerParametersNote"));
    m_form->addRow(tr("Prompt:"), m_prompt);
    m_form->addRow(tr("Negative prompt:"), m_negative);
    m_form->addRow(tr("Seed:"), m_seed);
    m_form->addRow(tr("Steps:"), m_steps);
    m_form->addRow(tr("Size:"), m_size);
    m_form->addRow(tr("Guidance:"), m_guidance);
    m_form->addRow(tr("Model:"), m_modelName);
    m_form->addRow(m_parametersNote);
    m_form->addRow(tr("File:"), m_file);
    auto* sideScroll = new QScrollArea(this);
    sideScroll->setWidget(side);
    sideScroll->setWidgetResizable(true);
    sideScroll->setMinimumWidth(220);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_view);
    splitter->addWidget(sideScroll);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({880, 320});

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("viewerStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setSingleShot(true);
    m_statusTimer->setInterval(kMessageMs);
    connect(m_statusTimer, &QTimer::timeout, m_status, &QLabel::clear);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolBar);
    layout->addWidget(splitter, 1);
    auto* statusRow = new QHBoxLayout;
    statusRow->setContentsMargins(8, 4, 8, 4);
    statusRow->addWidget(m_status);
    layout->addLayout(statusRow);
}

int ImageViewer::currentRow() const {
    return m_current.isValid() ? m_current.row() : -1;
}

QString ImageViewer::currentPath() const {
    return m_current.isValid() ? m_path : QString();
}

void ImageViewer::showRow(int row) {
    const int count = m_model.rowCount();
    if (count == 0)
        return showEmpty();
    row = std::clamp(row, 0, count - 1);
    const QString path = m_model.pathAt(row);
    const bool same = m_current.isValid() && path == m_path;
    m_current = QPersistentModelIndex(m_model.index(row));
    if (same)
        return updateTitleAndActions();
    m_path = path;
    load();
}

void ImageViewer::showEmpty() {
    m_current = QPersistentModelIndex();
    m_path.clear();
    ++m_generation;
    m_latest->store(m_generation);
    m_loading = false;
    m_image = QImage();
    m_view->setImage({});
    m_notice->setText(tr("There are no images in the gallery."));
    m_notice->show();
    m_parametersOk = false;
    m_parametersPending = false;
    m_parametersText.clear();
    m_parametersError.clear();
    showParameters();
    updateTitleAndActions();
}

void ImageViewer::showNext() {
    if (currentRow() >= 0 && currentRow() + 1 < m_model.rowCount())
        showRow(currentRow() + 1);
}

void ImageViewer::showPrevious() {
    if (currentRow() > 0)
        showRow(currentRow() - 1);
}

void ImageViewer::load() {
    const int generation = ++m_generation;
    m_latest->store(generation);
    m_loading = true;
    m_image = QImage();
    m_parametersOk = false;
    m_parametersPending = true;
    m_parametersText.clear();
    m_parameters = {};
    m_parametersError = tr("Reading the parameters…");
    m_view->setImage({});
    m_notice->setText(tr("Loading…"));
    m_notice->show();
    showParameters();
    updateTitleAndActions();
    const QString path = m_path;
    const auto latest = m_latest;
    // The destructor drains the pool, so `this` outlives the queued calls the job posts.
    m_pool.start([this, path, generation, latest] {
        // Paging through quickly queues reads of images already left behind: those are skipped.
        if (latest->load() != generation)
            return;
        auto loaded = std::make_shared<Loaded>();
        loaded->image = readImage(path, &loaded->error);
        QMetaObject::invokeMethod(
            this, [this, generation, loaded] { imageRead(generation, loaded); }, Qt::QueuedConnection);
        if (latest->load() != generation)
            return;
        auto read = std::make_shared<ReadParameters>(ReadParameters{readImageParameters(path)});
        QMetaObject::invokeMethod(
            this, [this, generation, read] { parametersRead(generation, read); }, Qt::QueuedConnection);
    });
}

void ImageViewer::imageRead(int generation, const std::shared_ptr<Loaded>& loaded) {
    if (generation != m_generation)
        return;
    m_loading = false;
    m_image = loaded->image;
    m_view->setImage(m_image);
    m_notice->setText(loaded->error);
    m_notice->setVisible(m_image.isNull());
    updateTitleAndActions();
    Q_EMIT imageLoaded(m_path);
}

void ImageViewer::parametersRead(int generation, const std::shared_ptr<ReadParameters>& read) {
    if (generation != m_generation)
        return;
    const ImageParameters& found = read->parameters;
    m_parametersOk = found.ok;
    m_parametersPending = false;
    m_parameters = found.imported;
    m_parametersText = found.text;
    m_parametersError = found.error;
    showParameters();
    updateTitleAndActions();
    Q_EMIT parametersLoaded(m_path);
}

void ImageViewer::showParameters() {
    const GenerationRequest& request = m_parameters.request;
    const bool ok = m_parametersOk;
    const QLocale locale;
    m_prompt->setText(ok && !request.prompts.empty() ? QString::fromStdString(request.prompts.front()) : QString());
    m_negative->setText(QString::fromStdString(request.negativePrompt));
    m_seed->setText(QString::number(request.seed));
    m_steps->setText(request.sigmas.empty() ? QString::number(request.steps)
                                            : tr("%1 (explicit schedule)").arg(request.sigmas.size()));
    m_size->setText(tr("%1 × %2").arg(request.width).arg(request.height));
    m_guidance->setText(locale.toString(request.guidance));
    m_modelName->setText(QString::fromStdString(m_parameters.modelName));
    const bool hasNegative = ok && !request.negativePrompt.empty();
    for (QLabel* label : {m_prompt, m_seed, m_steps, m_size, m_guidance})
        m_form->setRowVisible(label, ok);
    m_form->setRowVisible(m_negative, hasNegative);
    m_form->setRowVisible(m_modelName, ok && !m_parameters.modelName.empty());
    m_parametersNote->setText(m_parametersError);
    m_form->setRowVisible(m_parametersNote, !ok && !m_parametersError.isEmpty());

    const int row = currentRow();
    m_form->setRowVisible(m_file, row >= 0);
    if (row >= 0) {
        const QModelIndex index = m_model.index(row);
        const QDateTime modified = index.data(GalleryModel::ModifiedRole).toDateTime();
        m_file->setText(tr("%1\n%2 · %3")
                            .arg(index.data(GalleryModel::FileNameRole).toString(),
                                 modified.toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                                 locale.formattedDataSize(index.data(GalleryModel::SizeRole).toLongLong())));
    }
}

void ImageViewer::followReset() {
    const int found = m_path.isEmpty() ? -1 : m_model.rowOfPath(m_path);
    if (found >= 0) {
        m_current = QPersistentModelIndex(m_model.index(found));
        return updateTitleAndActions();
    }
    // A persistent index does not survive a reset: the shown image is looked up by its path, else the row it was at
    // (which the next image has taken) shows.
    showRow(std::max(m_rowBeforeReset, 0));
}

void ImageViewer::updateTitleAndActions() {
    const int row = currentRow();
    const int count = m_model.rowCount();
    if (row < 0)
        setWindowTitle(tr("Image viewer"));
    else
        setWindowTitle(tr("%1 (%2 of %3)").arg(QFileInfo(m_path).fileName()).arg(row + 1).arg(count));
    m_previous->setEnabled(row > 0);
    m_next->setEnabled(row >= 0 && row + 1 < count);
    const bool hasImage = !m_image.isNull();
    for (QAction* action : {m_zoomIn, m_zoomOut, m_fitAction, m_actualSize, m_copyImage})
        action->setEnabled(hasImage);
    for (QAction* action : {m_copyParameters, m_reuse, m_reveal, m_trash})
        action->setEnabled(row >= 0);
    if (!hasImage)
        m_zoomLabel->clear();
}

double ImageViewer::zoom() const {
    return m_view->zoom();
}

bool ImageViewer::isFitToWindow() const {
    return m_view->isFitToWindow();
}

void ImageViewer::zoomIn() {
    m_view->zoomIn();
}

void ImageViewer::zoomOut() {
    m_view->zoomOut();
}

void ImageViewer::zoomToFit() {
    m_view->zoomToFit();
}

void ImageViewer::zoomToActualSize() {
    m_view->zoomToActualSize();
}

void ImageViewer::copyImage() {
    if (m_image.isNull())
        return;
    QApplication::clipboard()->setImage(m_image);
    say(tr("Copied the image."));
}

void ImageViewer::copyParameters() {
    if (m_parametersPending)
        return say(tr("The parameters are still being read."));
    if (!m_parametersOk)
        return say(m_parametersError);
    QApplication::clipboard()->setText(m_parametersText);
    say(tr("Copied the parameters of “%1”.").arg(QFileInfo(m_path).fileName()));
}

void ImageViewer::reuseParameters() {
    if (m_parametersPending)
        return say(tr("The parameters are still being read."));
    if (!m_parametersOk)
        return say(m_parametersError);
    Q_EMIT parametersRequested(m_parameters, m_path);
    say(tr("The parameters of “%1” are in the form.").arg(QFileInfo(m_path).fileName()));
}

void ImageViewer::revealInFileManager() {
    QString error;
    if (currentRow() >= 0 && !ui::revealInFileManager(m_path, &error))
        say(error);
}

void ImageViewer::moveToTrash() {
    if (currentRow() < 0)
        return;
    const QString path = m_path;
    m_pool.start([this, path] {
        QString error;
        const bool ok = moveFileToTrash(path, &error);
        QMetaObject::invokeMethod(
            this, [this, path, ok, error] { trashed(path, ok, error); }, Qt::QueuedConnection);
    });
}

void ImageViewer::trashed(const QString& path, bool ok, const QString& error) {
    if (!ok)
        return say(error);
    say(tr("Moved “%1” to the trash.").arg(QFileInfo(path).fileName()));
    Q_EMIT imageTrashed(path);
    if (path != m_path || !m_current.isValid())
        return; // the model has dropped its row already, and the next image shows
    // Move on now; the model drops the row when its watcher sees the file go, and the persistent index follows.
    const int row = currentRow();
    if (row + 1 < m_model.rowCount())
        showRow(row + 1);
    else if (row > 0)
        showRow(row - 1);
    else
        showEmpty();
}

void ImageViewer::say(const QString& message) {
    m_status->setText(message);
    m_statusTimer->start();
    Q_EMIT statusMessage(message);
}

} // namespace zimage::ui
