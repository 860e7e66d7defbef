#include "history_store.h"

#include "history_schema.h"
#include "output/generation_metadata.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <stdexcept>

Q_LOGGING_CATEGORY(lcHistory, "zimage.ui.history")

namespace zimage::ui {
namespace {

const QString kDriver = QStringLiteral("QSQLITE");
// Another connection (a worker's) may hold the write lock for a moment; wait instead of failing.
constexpr int kBusyTimeoutMs = 5000;

// The columns in the order entryFromRow reads them.
const QString kColumns = QStringLiteral("id, created_at, prompt, negative_prompt, seed, steps, width, height, "
                                        "guidance, model, device, precision, image_path, request_json");

QString utcText(const QDateTime& time) {
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString nativePath(const QString& path) {
    return QDir::toNativeSeparators(path);
}

// The request from its JSON; from the plain columns when the JSON cannot be read (a hand-edited database).
GenerationRequest requestFromRow(const QSqlQuery& row) {
    const auto json = nlohmann::json::parse(row.value(13).toString().toStdString(), nullptr, false);
    try {
        return output::requestFromJson(json);
    } catch (const std::invalid_argument& error) {
        qCWarning(lcHistory) << "history entry" << row.value(0).toLongLong()
                             << "has an unreadable request; using its columns:" << error.what();
    }
    GenerationRequest request;
    request.prompts = {row.value(2).toString().toStdString()};
    request.negativePrompt = row.value(3).toString().toStdString();
    request.seed = row.value(4).toString().toULongLong();
    request.steps = row.value(5).toInt();
    request.width = row.value(6).toInt();
    request.height = row.value(7).toInt();
    request.guidance = row.value(8).toDouble();
    return request;
}

HistoryEntry entryFromRow(const QSqlQuery& row) {
    HistoryEntry entry;
    entry.id = row.value(0).toLongLong();
    entry.createdAt = QDateTime::fromString(row.value(1).toString(), Qt::ISODateWithMs);
    entry.request = requestFromRow(row);
    entry.model = row.value(9).toString();
    entry.device = row.value(10).toString();
    entry.precision = row.value(11).toString();
    entry.imagePath = row.value(12).toString();
    return entry;
}

// Invalid UTF-8 (which a QString never holds, but a request built elsewhere might) is replaced, not thrown.
QString requestJson(const GenerationRequest& request) {
    return QString::fromStdString(
        output::requestToJson(request).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

struct Filter {
    QString where; // "" or " WHERE ..."
    QVariantList values;
};

Filter searchFilter(const QString& text) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    // instr, not LIKE: no wildcards to escape in what the user typed.
    QStringList conditions = {QStringLiteral("instr(prompt_folded, ?) > 0")};
    QVariantList values = {trimmed.toCaseFolded()};
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    static const QRegularExpression date(QStringLiteral("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"));
    bool isSeed = false;
    const auto seed = trimmed.toULongLong(&isSeed);
    if (isSeed && digits.match(trimmed).hasMatch()) {
        conditions << QStringLiteral("seed = ?");
        values << QString::number(seed);
    }
    const QDate day = QDate::fromString(trimmed, Qt::ISODate);
    if (day.isValid() && date.match(trimmed).hasMatch()) {
        conditions << QStringLiteral("(created_at >= ? AND created_at < ?)");
        values << utcText(day.startOfDay()) << utcText(day.addDays(1).startOfDay());
    }
    return {QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" OR ")), values};
}

} // namespace

QString HistoryStore::fileName() {
    return QStringLiteral("history.sqlite");
}

HistoryStore::HistoryStore(QString dataFolder, QObject* parent)
    : QObject(parent)
    , m_folder(std::move(dataFolder)) {}

HistoryStore::~HistoryStore() {
    closeConnection();
}

bool HistoryStore::isOpen() const {
    return !m_connectionName.isEmpty();
}

QString HistoryStore::databasePath() const {
    return QDir(m_folder).filePath(fileName());
}

QString HistoryStore::errorString() const {
    return m_error;
}

bool HistoryStore::fail(const QString& message) const {
    m_error = message;
    qCWarning(lcHistory).noquote() << message;
    return false;
}

void HistoryStore::checkThread() const {
    Q_ASSERT_X(!isOpen() || QThread::currentThread() == m_thread, "HistoryStore",
               "a history connection is used only on the thread that opened it");
}

bool HistoryStore::open() {
    if (isOpen())
        return true;
    m_error.clear();
    if (!QDir().mkpath(m_folder))
        return fail(tr("Cannot create the data folder %1. Check that the folders above it exist and are writable, or "
                       "choose another data folder.")
                        .arg(nativePath(m_folder)));
    if (!QFileInfo(m_folder).isWritable())
        return fail(tr("The history cannot be saved: the data folder %1 is not writable. Give your user write "
                       "permission on it, or choose another data folder.")
                        .arg(nativePath(m_folder)));
    if (!QSqlDatabase::isDriverAvailable(kDriver))
        return fail(tr("Qt's SQLite driver is missing, so the history cannot be kept. Install the package "
                       "libqt6sql6-sqlite."));
    static std::atomic<int> connections{0};
    m_connectionName = QStringLiteral("zimage-history-%1").arg(++connections);
    m_thread = QThread::currentThread();
    if (openConnection())
        return true;
    closeConnection();
    return false;
}

bool HistoryStore::openConnection() {
    auto db = QSqlDatabase::addDatabase(kDriver, m_connectionName);
    db.setDatabaseName(databasePath());
    const QString path = nativePath(databasePath());
    const auto unreadable = [&](const QString& detail) {
        return fail(tr("%1 cannot be read as a history database (%2). Move the file aside or delete it; an empty "
                       "history is then started.")
                        .arg(path, detail));
    };
    if (!db.open())
        return unreadable(db.lastError().text());
    // SQLite reads the file lazily: the first statement is where a file that is not a database is refused.
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !query.next())
        return unreadable(query.lastError().text());
    if (query.value(0).toString().compare(QStringLiteral("wal"), Qt::CaseInsensitive) != 0)
        qCWarning(lcHistory) << "the history" << path << "could not switch to WAL, it uses" << query.value(0);
    query.exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(kBusyTimeoutMs));
    query.exec(QStringLiteral("PRAGMA synchronous = NORMAL")); // durable enough with WAL, and faster
    QString error;
    const int version = historySchemaVersion(db, error);
    if (version < 0)
        return unreadable(error);
    if (version > kHistorySchemaVersion)
        return fail(tr("The history %1 was written by a newer Z-Image Studio (schema %2; this version reads up to "
                       "%3). Update Z-Image Studio, or move the file aside to start a new history.")
                        .arg(path)
                        .arg(version)
                        .arg(kHistorySchemaVersion));
    if (!migrateHistorySchema(db, version, error))
        return fail(tr("The history %1 could not be updated to the current format (%2). Check that the disk is not "
                       "full, or move the file aside to start a new history.")
                        .arg(path, error));
    return true;
}

void HistoryStore::closeConnection() {
    if (m_connectionName.isEmpty())
        return;
    {
        auto db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

std::optional<qint64> HistoryStore::add(const HistoryEntry& entry) {
    checkThread();
    if (!isOpen()) {
        fail(tr("The history is not open."));
        return std::nullopt;
    }
    auto db = QSqlDatabase::database(m_connectionName, false);
    const auto& request = entry.request;
    const QString prompt = entry.prompt();
    QSqlQuery query(db);
    query.prepare(QStringLiteral(
        "INSERT INTO images (created_at, prompt, prompt_folded, negative_prompt, seed, steps, width, height, guidance, "
        "model, device, precision, image_path, request_json) VALUES (:created_at, :prompt, :prompt_folded, "
        ":negative_prompt, :seed, :steps, :width, :height, :guidance, :model, :device, :precision, :image_path, "
        ":request_json)"));
    const QDateTime createdAt = entry.createdAt.isValid() ? entry.createdAt : QDateTime::currentDateTimeUtc();
    query.bindValue(QStringLiteral(":created_at"), utcText(createdAt));
    query.bindValue(QStringLiteral(":prompt"), prompt);
    query.bindValue(QStringLiteral(":prompt_folded"), prompt.toCaseFolded());
    query.bindValue(QStringLiteral(":negative_prompt"), QString::fromStdString(request.negativePrompt));
    query.bindValue(QStringLiteral(":seed"), entry.seedText());
    query.bindValue(QStringLiteral(":steps"), request.steps);
    query.bindValue(QStringLiteral(":width"), request.width);
    query.bindValue(QStringLiteral(":height"), request.height);
    query.bindValue(QStringLiteral(":guidance"), request.guidance);
    query.bindValue(QStringLiteral(":model"), entry.model);
    query.bindValue(QStringLiteral(":device"), entry.device);
    query.bindValue(QStringLiteral(":precision"), entry.precision);
    query.bindValue(QStringLiteral(":image_path"), entry.imagePath);
    query.bindValue(QStringLiteral(":request_json"), requestJson(request));
    const auto failure = [&](const QSqlError& error) {
        db.rollback();
        fail(tr("The image could not be recorded in the history %1 (%2). Check that the disk is not full.")
                 .arg(nativePath(databasePath()), error.text()));
        return std::nullopt;
    };
    if (!db.transaction())
        return failure(db.lastError());
    if (!query.exec())
        return failure(query.lastError());
    const qint64 id = query.lastInsertId().toLongLong();
    query.finish();
    if (!db.commit())
        return failure(db.lastError());
    Q_EMIT entryAdded(id);
    return id;
}

std::optional<HistoryEntry> HistoryStore::find(qint64 id) const {
    checkThread();
    if (!isOpen())
        return std::nullopt;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM images WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec()) {
        fail(tr("The history could not be read (%1).").arg(query.lastError().text()));
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    return entryFromRow(query);
}

std::vector<HistoryEntry> HistoryStore::list(int limit, int offset) const {
    return search(QString(), limit, offset);
}

std::vector<HistoryEntry> HistoryStore::search(const QString& text, int limit, int offset) const {
    checkThread();
    std::vector<HistoryEntry> entries;
    if (!isOpen())
        return entries;
    const Filter filter = searchFilter(text);
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM images") + filter.where +
                  QStringLiteral(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"));
    for (const auto& value : filter.values)
        query.addBindValue(value);
    query.addBindValue(limit < 0 ? -1 : limit); // SQLite: a negative LIMIT means none
    query.addBindValue(std::max(offset, 0));
    if (!query.exec()) {
        fail(tr("The history could not be searched (%1).").arg(query.lastError().text()));
        return entries;
    }
    while (query.next())
        entries.push_back(entryFromRow(query));
    return entries;
}

bool HistoryStore::remove(qint64 id) {
    checkThread();
    if (!isOpen())
        return fail(tr("The history is not open."));
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("DELETE FROM images WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec())
        return fail(tr("The entry could not be removed from the history (%1).").arg(query.lastError().text()));
    if (query.numRowsAffected() < 1)
        return fail(tr("There is no history entry %1; it may have been removed already.").arg(id));
    Q_EMIT entryRemoved(id);
    return true;
}

} // namespace zimage::ui
