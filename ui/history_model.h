#pragma once
// The history panel's list: the entries of a HistoryStore search, newest first, loaded a page at a time as the view
// scrolls (canFetchMore/fetchMore), reloaded when the store adds or removes an entry.

#include "history_entry.h"

#include <QAbstractListModel>
#include <QString>

#include <vector>

namespace zimage::ui {

class HistoryStore;

class HistoryModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        RequestRole,   // zimage::GenerationRequest: what "reproduce" restores
        PromptRole,    // the whole prompt
        SeedRole,      // QString: seeds are unsigned 64-bit
        CreatedAtRole, // QDateTime, local time
        ModelRole,
        ImagePathRole,
        EntryRole, // zimage::ui::HistoryEntry
    };

    static constexpr int kDefaultPageSize = 200;

    explicit HistoryModel(HistoryStore& store, QObject* parent = nullptr, int pageSize = kDefaultPageSize);

    // What to show: HistoryStore::search(text); empty shows everything.
    void setSearchText(const QString& text);
    QString searchText() const { return m_searchText; }
    void reload();

    int rowCount(const QModelIndex& parent = {}) const override;
    // Qt::DisplayRole: the prompt's first line, then "Seed N · yyyy-MM-dd HH:mm" (local time) on a second line.
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

private:
    HistoryStore& m_store;
    int m_pageSize;
    QString m_searchText;
    std::vector<HistoryEntry> m_entries;
    bool m_hasMore = false;
};

} // namespace zimage::ui
