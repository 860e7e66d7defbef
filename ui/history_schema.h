#pragma once
// The history database's schema and its migrations. The version lives in SQLite's PRAGMA user_version; a database at
// version N is brought to kHistorySchemaVersion one step at a time, each step in its own transaction.

#include <QSqlDatabase>
#include <QString>

namespace zimage::ui {

inline constexpr int kHistorySchemaVersion = 1;

// PRAGMA user_version, or -1 (with `error` set) when it cannot be read.
int historySchemaVersion(QSqlDatabase& db, QString& error);

// Brings a database at `fromVersion` (0: empty) to kHistorySchemaVersion. False with `error` set when a step fails; the
// steps done before it stay.
bool migrateHistorySchema(QSqlDatabase& db, int fromVersion, QString& error);

} // namespace zimage::ui
