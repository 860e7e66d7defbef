#include "history_schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace zimage::ui {
namespace {

// Version 1: one row per image. The seed is decimal text: seeds are unsigned 64-bit and SQLite's integers are
// signed. prompt_folded is the prompt case-folded by Qt, so that search is case-insensitive beyond ASCII (SQLite's
// LIKE folds ASCII only). created_at is UTC ISO-8601 with milliseconds, so text order is time order.
const QStringList& version1() {
    static const QStringList statements = {
        QStringLiteral("CREATE TABLE images ("
                       "id INTEGER PRIMARY KEY AUTOINCREMENT, "
                       "created_at TEXT NOT NULL, "
                       "prompt TEXT NOT NULL, "
                       "prompt_folded TEXT NOT NULL, "
                       "negative_prompt TEXT NOT NULL, "
                       "seed TEXT NOT NULL, "
                       "steps INTEGER NOT NULL, "
                       "width INTEGER NOT NULL, "
                       "height INTEGER NOT NULL, "
                       "guidance REAL NOT NULL, "
                       "model TEXT NOT NULL, "
                       "device TEXT NOT NULL, "
                       "precision TEXT NOT NULL, "
                       "image_path TEXT NOT NULL, "
                       "request_json TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX images_created_at ON images (created_at)"),
        QStringLiteral("CREATE INDEX images_seed ON images (seed)"),
    };
    return statements;
}

// steps[i] takes a database from version i to i + 1.
const QList<const QStringList*>& steps() {
    static const QList<const QStringList*> all = {&version1()};
    return all;
}

bool execute(QSqlDatabase& db, const QString& statement, QString& error) {
    QSqlQuery query(db);
    if (query.exec(statement))
        return true;
    error = query.lastError().text();
    return false;
}

bool runStep(QSqlDatabase& db, int fromVersion, QString& error) {
    if (!db.transaction()) {
        error = db.lastError().text();
        return false;
    }
    for (const auto& statement : *steps().at(fromVersion))
        if (!execute(db, statement, error)) {
            db.rollback();
            return false;
        }
    // PRAGMA takes no bound parameters; the number is ours.
    if (!execute(db, QStringLiteral("PRAGMA user_version = %1").arg(fromVersion + 1), error)) {
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        error = db.lastError().text();
        return false;
    }
    return true;
}

} // namespace

int historySchemaVersion(QSqlDatabase& db, QString& error) {
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        error = query.lastError().text();
        return -1;
    }
    return query.value(0).toInt();
}

bool migrateHistorySchema(QSqlDatabase& db, int fromVersion, QString& error) {
    static_assert(kHistorySchemaVersion == 1, "add the new version's step to steps()");
    for (int version = fromVersion; version < kHistorySchemaVersion; ++version)
        if (!runStep(db, version, error))
            return false;
    return true;
}

} // namespace zimage::ui
