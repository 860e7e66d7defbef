#pragma once
// The generation history: every finished image, with its full request, in a SQLite database (QtSql, WAL journal) in
// the app's data folder.
//
// Threading: a store opens its own connection under a unique name; use it only on the thread that opened it (the
// GUI thread; a worker thread opens a store of its own over the same file, which WAL and a busy timeout allow).

#include "history_entry.h"

#include <QObject>
#include <QString>

#include <optional>
#include <vector>

class QThread;

namespace zimage::ui {

class HistoryStore : public QObject {
    Q_OBJECT

public:
    // The database file inside the data folder.
    static QString fileName();

    // `dataFolder`: $XDG_DATA_HOME/zimage-studio or ~/.local/share/zimage-studio for the app (the engine's
    // runtime::defaultDataFolder() will say it); any folder in tests. Nothing happens before open().
    explicit HistoryStore(QString dataFolder, QObject* parent = nullptr);
    ~HistoryStore() override;

    // Creates the folder and the database as needed and brings its schema up to date. False with errorString() set
    // (a translated sentence naming the folder or file and what to do) when it cannot.
    bool open();
    bool isOpen() const;
    QString databasePath() const;
    QString errorString() const;

    // Records an image in one transaction; its id, or nothing with errorString() set.
    std::optional<qint64> add(const HistoryEntry& entry);
    std::optional<HistoryEntry> find(qint64 id) const;
    // Newest first. `limit` < 0: all.
    std::vector<HistoryEntry> list(int limit = -1, int offset = 0) const;
    // Entries whose prompt contains `text` (case-insensitive, any script), newest first. An all-digits text also
    // matches that seed; a date "2026-11-21" also matches the images of that day (local time). Empty text: list().
    std::vector<HistoryEntry> search(const QString& text, int limit = -1, int offset = 0) const;
    // False when there is no such entry or the database refused (errorString() says which).
    bool remove(qint64 id);

Q_SIGNALS:
    void entryAdded(qint64 id);
    void entryRemoved(qint64 id);

private:
    bool openConnection();
    void closeConnection();
    bool fail(const QString& message) const;
    void checkThread() const;

    QString m_folder;
    QString m_connectionName;
    QThread* m_thread = nullptr; // where open() ran; the connection is used there only
    mutable QString m_error;
};

} // namespace zimage::ui
