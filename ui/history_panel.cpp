#include "history_panel.h"

#include "history_model.h"
#include "history_store.h"
#include "panel_action.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace zimage::ui {
namespace {

constexpr int kMargin = 6;
// Reads as a warning on light and dark backgrounds alike.
const QColor kMissingColor(214, 48, 49);

QString firstLine(const QString& text) {
    const QString trimmed = text.trimmed();
    return trimmed.left(trimmed.indexOf(QLatin1Char('\n'))).trimmed();
}

// A row: the thumbnail on the left; the prompt's first line, "Seed · size · steps", and the date (with the
// "file missing" mark) on its right.
class HistoryDelegate : public QStyledItemDelegate {
public:
    HistoryDelegate(HistoryPanel& panel, QObject* parent)
        : QStyledItemDelegate(parent)
        , m_panel(panel) {}

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const override {
        const int lines = 3 * option.fontMetrics.height() + 4;
        return {320, std::max(HistoryPanel::kThumbnailSize, lines) + 2 * kMargin};
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        QStyleOptionViewItem background = option;
        initStyleOption(&background, index);
        background.text.clear();
        background.icon = QIcon();
        const QWidget* widget = option.widget;
        QStyle* style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

        const auto entry = index.data(HistoryModel::EntryRole).value<HistoryEntry>();
        const HistoryPanel::FileInfo file = m_panel.fileInfo(entry.imagePath);
        const QRect box(option.rect.left() + kMargin, option.rect.top() + kMargin, HistoryPanel::kThumbnailSize,
                        HistoryPanel::kThumbnailSize);
        painter->save();
        drawThumbnail(painter, box, m_panel.thumbnailFor(entry.imagePath));
        const QRect text = option.rect.adjusted(box.width() + 3 * kMargin, kMargin, -kMargin, -kMargin);
        drawText(painter, option, text, entry, file.state == HistoryPanel::FileState::Missing);
        painter->restore();
    }

private:
    static void drawThumbnail(QPainter* painter, const QRect& box, const QPixmap& pixmap) {
        if (pixmap.isNull())
            return;
        QSizeF size = pixmap.deviceIndependentSize();
        size.scale(QSizeF(box.size()).boundedTo(size), Qt::KeepAspectRatio);
        QRectF target(QPointF(), size);
        target.moveCenter(QRectF(box).center());
        painter->setRenderHint(QPainter::SmoothPixmapTransform);
        painter->drawPixmap(target, pixmap, QRectF(pixmap.rect()));
    }

    static void drawText(QPainter* painter, const QStyleOptionViewItem& option, const QRect& rect,
                         const HistoryEntry& entry, bool missing) {
        const bool selected = option.state & QStyle::State_Selected;
        const QColor main = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
        QColor secondary = main;
        secondary.setAlphaF(0.7F);
        const QFontMetrics metrics = option.fontMetrics;
        const int line = metrics.height() + 2;
        QRect row(rect.left(), rect.top(), rect.width(), metrics.height());

        QFont bold = option.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(main);
        const QString prompt = firstLine(entry.prompt());
        painter->drawText(row, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(bold).elidedText(prompt.isEmpty() ? HistoryPanel::tr("(no prompt)") : prompt,
                                                        Qt::ElideRight, row.width()));
        painter->setFont(option.font);
        painter->setPen(secondary);
        row.translate(0, line);
        const QString details = HistoryPanel::tr("Seed %1 · %2 × %3 · %n step(s)", nullptr, entry.request.steps)
                                    .arg(entry.seedText())
                                    .arg(entry.request.width)
                                    .arg(entry.request.height);
        painter->drawText(row, Qt::AlignLeft | Qt::AlignVCenter,
                          metrics.elidedText(details, Qt::ElideRight, row.width()));
        row.translate(0, line);
        // ISO order reads the same in every language the app has.
        const QString date = entry.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
        painter->drawText(row, Qt::AlignLeft | Qt::AlignVCenter, date);
        if (missing) {
            QRect mark = row.adjusted(metrics.horizontalAdvance(date) + 2 * kMargin, 0, 0, 0);
            painter->setPen(selected ? main : kMissingColor);
            painter->drawText(mark, Qt::AlignLeft | Qt::AlignVCenter,
                              metrics.elidedText(HistoryPanel::tr("Image file missing"), Qt::ElideRight, mark.width()));
        }
    }

    HistoryPanel& m_panel;
};

} // namespace

HistoryPanel::HistoryPanel(HistoryStore& store, QWidget* parent)
    : HistoryPanel(store, std::make_unique<ThumbnailCache>(ThumbnailCache::defaultDiskCacheFolder()), nullptr, parent) {
}

HistoryPanel::HistoryPanel(HistoryStore& store, ThumbnailCache& thumbnails, QWidget* parent)
    : HistoryPanel(store, nullptr, &thumbnails, parent) {}

HistoryPanel::HistoryPanel(HistoryStore& store, std::unique_ptr<ThumbnailCache> own, ThumbnailCache* shared,
                           QWidget* parent)
    : QWidget(parent)
    , m_store(store)
    , m_ownThumbnails(std::move(own))
    , m_thumbnails(shared ? *shared : *m_ownThumbnails)
    , m_model(new HistoryModel(store, this)) {
    qRegisterMetaType<zimage::ui::HistoryEntry>();
    setObjectName(QStringLiteral("historyPanel"));
    m_pool.setMaxThreadCount(1);
    buildActions();
    buildLayout();

    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(kSearchDelayMs);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchTimer, &QTimer::timeout, this, [this] { search(m_search->text()); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { search(m_search->text()); });
    connect(m_model, &HistoryModel::modelReset, this, &HistoryPanel::updateState);
    connect(m_model, &HistoryModel::rowsInserted, this, &HistoryPanel::updateState);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &HistoryPanel::updateActions);
    connect(m_view, &QListView::activated, this, &HistoryPanel::reproduceCurrent);
    // A new image is recorded: its file is new too, and files shown before may have gone meanwhile.
    connect(&m_store, &HistoryStore::entryAdded, this, &HistoryPanel::recheckFiles);
    const auto repaint = [this] {
        if (m_view->isVisible())
            m_view->viewport()->update();
    };
    connect(&m_thumbnails, &ThumbnailCache::thumbnailReady, this, repaint);
    connect(&m_thumbnails, &ThumbnailCache::thumbnailFailed, this, repaint);
    updateState();
}

HistoryPanel::~HistoryPanel() {
    // The jobs post to this panel; drained before the members they touch go.
    m_pool.clear();
    m_pool.waitForDone();
}

void HistoryPanel::buildActions() {
    m_reproduce =
        makePanelAction(this, tr("Reproduce"), QStringLiteral("historyReproduce"), {}, &HistoryPanel::reproduceCurrent);
    m_reproduce->setToolTip(tr("Restore every parameter of this image in the form"));
    m_regenerate = makePanelAction(this, tr("Regenerate"), QStringLiteral("historyRegenerate"), {},
                                   &HistoryPanel::regenerateCurrent);
    m_regenerate->setToolTip(tr("Generate this image again with the same parameters and seed"));
    m_openImage = makePanelAction(this, tr("Open image"), QStringLiteral("historyOpenImage"), {},
                                  &HistoryPanel::openCurrentImage);
    m_copySeed =
        makePanelAction(this, tr("Copy seed"), QStringLiteral("historyCopySeed"), {}, &HistoryPanel::copyCurrentSeed);
    m_copyPrompt = makePanelAction(this, tr("Copy prompt"), QStringLiteral("historyCopyPrompt"), QKeySequence::Copy,
                                   &HistoryPanel::copyCurrentPrompt);
    m_remove = makePanelAction(this, tr("Remove from history"), QStringLiteral("historyRemove"), QKeySequence::Delete,
                               &HistoryPanel::removeCurrent);
    m_remove->setToolTip(tr("Remove this entry from the history; the image file stays"));
}

void HistoryPanel::buildLayout() {
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("historySearch"));
    m_search->setPlaceholderText(tr("Search prompts, a seed, or a date (YYYY-MM-DD)"));
    m_search->setClearButtonEnabled(true);

    m_view = new QListView(this);
    m_view->setObjectName(QStringLiteral("historyView"));
    // One size for every row: laying out thousands of entries asks none of them for anything.
    m_view->setUniformItemSizes(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setItemDelegate(new HistoryDelegate(*this, m_view));
    m_view->setModel(m_model);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* separator = new QAction(this);
    separator->setSeparator(true);
    auto* separator2 = new QAction(this);
    separator2->setSeparator(true);
    m_view->addActions(
        {m_reproduce, m_regenerate, separator, m_openImage, m_copySeed, m_copyPrompt, separator2, m_remove});

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("historyMessage"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setMargin(24);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_message);

    auto* toolBar = new QToolBar(this);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolBar->addActions({m_reproduce, m_regenerate, m_openImage, m_copySeed, m_remove});
    const std::pair<QAction*, const char*> buttons[] = {{m_reproduce, "reproduceButton"},
                                                        {m_regenerate, "regenerateButton"},
                                                        {m_openImage, "openImageButton"},
                                                        {m_copySeed, "copySeedButton"},
                                                        {m_remove, "removeEntryButton"}};
    for (const auto& [action, name] : buttons)
        toolBar->widgetForAction(action)->setObjectName(QString::fromLatin1(name));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* top = new QHBoxLayout;
    top->setContentsMargins(8, 8, 8, 4);
    top->addWidget(m_search);
    layout->addLayout(top);
    layout->addWidget(toolBar);
    layout->addWidget(m_stack, 1);
}

std::optional<HistoryEntry> HistoryPanel::currentEntry() const {
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    return current.data(HistoryModel::EntryRole).value<HistoryEntry>();
}

void HistoryPanel::search(const QString& text) {
    m_searchTimer->stop();
    if (m_search->text() != text) {
        const QSignalBlocker quiet(m_search);
        m_search->setText(text);
    }
    const QString trimmed = text.trimmed();
    if (trimmed != m_model->searchText())
        m_model->setSearchText(trimmed);
}

void HistoryPanel::updateState() {
    QString message;
    if (!m_store.isOpen())
        message = tr("The history is not available. %1").arg(m_store.errorString());
    else if (m_model->rowCount() == 0 && m_model->searchText().isEmpty())
        message = tr("No images generated yet. Each image you generate is recorded here with its parameters.");
    else if (m_model->rowCount() == 0)
        message = tr("Nothing in the history matches “%1”.").arg(m_model->searchText());
    m_message->setText(message);
    m_stack->setCurrentWidget(message.isEmpty() ? static_cast<QWidget*>(m_view) : m_message);
    if (!m_view->currentIndex().isValid() && m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0));
    updateActions();
}

void HistoryPanel::updateActions() {
    const auto entry = currentEntry();
    for (QAction* action : {m_reproduce, m_regenerate, m_copySeed, m_copyPrompt, m_remove})
        action->setEnabled(entry.has_value());
    const bool missing = entry && fileInfo(entry->imagePath).state == FileState::Missing;
    m_openImage->setEnabled(entry && !entry->imagePath.isEmpty() && !missing);
    m_openImage->setToolTip(missing ? tr("The image file no longer exists.") : tr("Open the image"));
}

void HistoryPanel::reproduceCurrent() {
    if (const auto entry = currentEntry())
        Q_EMIT reproduceRequested(*entry);
}

void HistoryPanel::regenerateCurrent() {
    if (const auto entry = currentEntry())
        Q_EMIT regenerateRequested(*entry);
}

void HistoryPanel::openCurrentImage() {
    const auto entry = currentEntry();
    if (!entry)
        return;
    if (entry->imagePath.isEmpty() || fileInfo(entry->imagePath).state == FileState::Missing) {
        Q_EMIT statusMessage(tr("The image file “%1” no longer exists.").arg(entry->imagePath));
        return;
    }
    Q_EMIT openImageRequested(entry->imagePath);
}

void HistoryPanel::copyCurrentSeed() {
    if (const auto entry = currentEntry()) {
        QApplication::clipboard()->setText(entry->seedText());
        Q_EMIT statusMessage(tr("Copied the seed %1.").arg(entry->seedText()));
    }
}

void HistoryPanel::copyCurrentPrompt() {
    if (const auto entry = currentEntry()) {
        QApplication::clipboard()->setText(entry->prompt());
        Q_EMIT statusMessage(tr("Copied the prompt."));
    }
}

void HistoryPanel::removeCurrent() {
    const auto entry = currentEntry();
    if (!entry)
        return;
    const int row = m_view->currentIndex().row();
    if (!m_store.remove(entry->id)) {
        Q_EMIT statusMessage(m_store.errorString());
        return;
    }
    // The model reloaded (entryRemoved): keep the place in the list.
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(std::min(row, m_model->rowCount() - 1)));
    Q_EMIT statusMessage(tr("Removed the entry from the history. The image file stays where it is."));
}

HistoryPanel::FileInfo HistoryPanel::fileInfo(const QString& path) {
    if (path.isEmpty())
        return {FileState::Missing, 0, 0, m_round};
    const auto found = m_files.constFind(path);
    const FileInfo info = found == m_files.cend() ? FileInfo{} : *found;
    if (info.checkedIn < m_round && !m_queued.contains(path) && !m_checking.contains(path)) {
        m_queued.insert(path);
        // The rows of one paint are checked together.
        if (!m_checkScheduled) {
            m_checkScheduled = true;
            QTimer::singleShot(0, this, &HistoryPanel::checkQueuedFiles);
        }
    }
    return info;
}

QPixmap HistoryPanel::thumbnailFor(const QString& path) {
    const FileInfo info = fileInfo(path);
    switch (info.state) {
    case FileState::Present:
        return m_thumbnails.lookup({path, info.size, info.modified}).pixmap;
    case FileState::Missing:
        return m_thumbnails.unreadablePlaceholder();
    case FileState::Unknown:
        break;
    }
    return m_thumbnails.loadingPlaceholder();
}

void HistoryPanel::recheckFiles() {
    ++m_round;
    m_view->viewport()->update();
    updateActions();
}

void HistoryPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    recheckFiles();
}

void HistoryPanel::checkQueuedFiles() {
    m_checkScheduled = false;
    if (m_queued.isEmpty())
        return;
    const QStringList paths(m_queued.cbegin(), m_queued.cend());
    m_checking.unite(m_queued);
    m_queued.clear();
    const int round = m_round;
    // The destructor drains the pool, so `this` outlives the queued call the job posts.
    m_pool.start([this, paths, round] {
        std::vector<std::pair<QString, FileInfo>> results;
        results.reserve(static_cast<std::size_t>(paths.size()));
        for (const QString& path : paths) {
            const QFileInfo file(path);
            FileInfo info;
            info.state = file.isFile() ? FileState::Present : FileState::Missing;
            info.size = file.size();
            // As the gallery lists it, so both ask the cache for the same thumbnail.
            info.modified = file.lastModified().toMSecsSinceEpoch();
            info.checkedIn = round;
            results.emplace_back(path, info);
        }
        QMetaObject::invokeMethod(
            this, [this, results] { filesStated(results); }, Qt::QueuedConnection);
    });
}

void HistoryPanel::filesStated(const std::vector<std::pair<QString, FileInfo>>& results) {
    for (const auto& [path, info] : results) {
        m_checking.remove(path);
        m_files.insert(path, info);
    }
    m_view->viewport()->update();
    updateActions();
    Q_EMIT filesChecked();
}

} // namespace zimage::ui
