#include "history_model.h"

#include "history_store.h"

#include <algorithm>
#include <iterator>

namespace zimage::ui {
namespace {

QString firstLine(const QString& text) {
    const QString trimmed = text.trimmed();
    return trimmed.left(trimmed.indexOf(QLatin1Char('\n'))).trimmed();
}

QString localTimeText(const QDateTime& time) {
    // ISO order reads the same in every language the app has.
    return time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

HistoryModel::HistoryModel(HistoryStore& store, QObject* parent, int pageSize)
    : QAbstractListModel(parent)
    , m_store(store)
    , m_pageSize(std::max(pageSize, 1)) {
    connect(&m_store, &HistoryStore::entryAdded, this, &HistoryModel::reload);
    connect(&m_store, &HistoryStore::entryRemoved, this, &HistoryModel::reload);
    reload();
}

void HistoryModel::setSearchText(const QString& text) {
    m_searchText = text;
    reload();
}

void HistoryModel::reload() {
    beginResetModel();
    m_entries = m_store.search(m_searchText, m_pageSize, 0);
    m_hasMore = static_cast<int>(m_entries.size()) == m_pageSize;
    endResetModel();
}

int HistoryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

QVariant HistoryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.parent().isValid() || index.row() >= rowCount())
        return {};
    const HistoryEntry& entry = m_entries[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return tr("%1\nSeed %2 · %3").arg(firstLine(entry.prompt()), entry.seedText(), localTimeText(entry.createdAt));
    case Qt::ToolTipRole:
    case PromptRole:
        return entry.prompt();
    case IdRole:
        return entry.id;
    case RequestRole:
        return QVariant::fromValue(entry.request);
    case SeedRole:
        return entry.seedText();
    case CreatedAtRole:
        return entry.createdAt.toLocalTime();
    case ModelRole:
        return entry.model;
    case ImagePathRole:
        return entry.imagePath;
    case EntryRole:
        return QVariant::fromValue(entry);
    default:
        return {};
    }
}

QHash<int, QByteArray> HistoryModel::roleNames() const {
    auto names = QAbstractListModel::roleNames();
    names.insert({{IdRole, "id"},
                  {RequestRole, "request"},
                  {PromptRole, "prompt"},
                  {SeedRole, "seed"},
                  {CreatedAtRole, "createdAt"},
                  {ModelRole, "model"},
                  {ImagePathRole, "imagePath"},
                  {EntryRole, "entry"}});
    return names;
}

bool HistoryModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && m_hasMore;
}

void HistoryModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent))
        return;
    auto more = m_store.search(m_searchText, m_pageSize, static_cast<int>(m_entries.size()));
    m_hasMore = static_cast<int>(more.size()) == m_pageSize;
    if (more.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(more.size()) - 1);
    m_entries.insert(m_entries.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    endInsertRows();
}

} // namespace zimage::ui
