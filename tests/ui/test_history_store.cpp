// The history database (ui/history_store.h) and the history panel's model (ui/history_model.h), on a fresh
// QTemporaryDir each. Expected values are the entries each test writes; the schema facts (WAL, user_version) are read
// back through a second, independent connection.

#include "history_model.h"
#include "history_schema.h"
#include "history_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using zimage::GenerationRequest;
using zimage::ui::HistoryEntry;
using zimage::ui::HistoryModel;
using zimage::ui::HistoryStore;

namespace {

HistoryEntry makeEntry(const QString& prompt, std::uint64_t seed, const QDateTime& createdAt = {}) {
    HistoryEntry entry;
    entry.request.prompts = {prompt.toStdString()};
    entry.request.negativePrompt = "模糊";
    entry.request.seed = seed;
    entry.request.steps = 9;
    entry.request.width = 1248;
    entry.request.height = 832;
    entry.request.guidance = 3.5;
    entry.request.precision = zimage::Precision::Bf16;
    entry.createdAt = createdAt;
    entry.model = QStringLiteral("Z-Image-Turbo");
    entry.device = QStringLiteral("cpu");
    entry.precision = QStringLiteral("fp32");
    entry.imagePath = QStringLiteral("/pictures/zimage/%1.png").arg(seed);
    return entry;
}

QDateTime localTime(int year, int month, int day, int hour, int minute) {
    return QDateTime(QDate(year, month, day), QTime(hour, minute), Qt::LocalTime);
}

QList<qint64> idsOf(const std::vector<HistoryEntry>& entries) {
    QList<qint64> ids;
    for (const auto& entry : entries)
        ids << entry.id;
    return ids;
}

// A PRAGMA's value through a connection of the test's own.
QVariant pragma(const QString& databasePath, const QString& name) {
    const QString connection = QStringLiteral("test-inspect-") + name;
    QVariant value;
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(databasePath);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("PRAGMA ") + name) && query.next())
                value = query.value(0);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return value;
}

// A SQLite file made by something else at schema `version`, holding one unrelated table.
void makeDatabase(const QString& databasePath, int version) {
    const QString connection = QStringLiteral("test-make-database");
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(databasePath);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("CREATE TABLE notes (text TEXT)")));
        QVERIFY(query.exec(QStringLiteral("PRAGMA user_version = %1").arg(version)));
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
}

} // namespace

class TestHistoryStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_store = std::make_unique<HistoryStore>(m_dir->filePath(QStringLiteral("data")));
        QVERIFY2(m_store->open(), qPrintable(m_store->errorString()));
    }

    void cleanup() {
        m_store.reset();
        m_dir.reset();
    }

    void addAndFindKeepEveryField() {
        const QDateTime created(QDate(2026, 11, 21), QTime(9, 30, 15, 123), Qt::UTC);
        // The largest seed: SQLite integers are signed, the store keeps seeds as text.
        auto entry = makeEntry(QStringLiteral("一只橘猫坐在窗台上\n阳光明媚"), 18446744073709551615ull, created);
        QSignalSpy added(m_store.get(), &HistoryStore::entryAdded);
        const auto id = m_store->add(entry);
        QVERIFY(id.has_value());
        QCOMPARE(added.count(), 1);
        QCOMPARE(added.at(0).at(0).toLongLong(), *id);
        const auto found = m_store->find(*id);
        QVERIFY(found.has_value());
        QCOMPARE(found->id, *id);
        QCOMPARE(found->createdAt, created);
        QCOMPARE(found->createdAt.timeSpec(), Qt::UTC);
        QCOMPARE(found->prompt(), entry.prompt());
        QCOMPARE(found->request.negativePrompt, entry.request.negativePrompt);
        QCOMPARE(found->request.seed, entry.request.seed);
        QCOMPARE(found->request.steps, 9);
        QCOMPARE(found->request.width, 1248);
        QCOMPARE(found->request.height, 832);
        QCOMPARE(found->request.guidance, 3.5);
        QVERIFY(found->request.precision == zimage::Precision::Bf16); // from the request JSON
        QCOMPARE(found->model, entry.model);
        QCOMPARE(found->device, entry.device);
        QCOMPARE(found->precision, entry.precision);
        QCOMPARE(found->imagePath, entry.imagePath);
        QVERIFY(!m_store->find(*id + 1).has_value());
    }

    void entryFromResultTakesTheImagesPromptAndSeed() {
        // A batch of two as the engine returns it: the request as run, one prompt and seed per image.
        zimage::GenerationResult result;
        result.request.prompts = {"第一张", "second"};
        result.request.seed = 100;
        result.request.precision = zimage::Precision::Fp32;
        result.deviceName = "cpu";
        result.images.resize(2);
        result.images[1].prompt = "second";
        result.images[1].seed = 101;
        const auto entry =
            HistoryEntry::fromResult(result, 1, QStringLiteral("Z-Image-Turbo"), QStringLiteral("/a.png"));
        QCOMPARE(entry.request.prompts, std::vector<std::string>{"second"});
        QCOMPARE(entry.request.seed, std::uint64_t(101));
        QCOMPARE(entry.device, QStringLiteral("cpu"));
        QCOMPARE(entry.precision, QStringLiteral("fp32"));
        QCOMPARE(entry.imagePath, QStringLiteral("/a.png"));
        QCOMPARE(entry.id, qint64(0));
    }

    void addStampsTheTimeWhenNoneIsGiven() {
        const auto before = QDateTime::currentDateTimeUtc().addMSecs(-1);
        const auto id = m_store->add(makeEntry(QStringLiteral("now"), 1));
        QVERIFY(id.has_value());
        const auto createdAt = m_store->find(*id)->createdAt;
        QVERIFY(createdAt >= before);
        QVERIFY(createdAt <= QDateTime::currentDateTimeUtc());
    }

    void searchFindsChineseAndFoldsCase() {
        const auto cat = *m_store->add(makeEntry(QStringLiteral("一只橘猫坐在窗台上，阳光明媚"), 1));
        const auto fox = *m_store->add(makeEntry(QStringLiteral("A Red FOX in the snow"), 2));
        const auto cafe = *m_store->add(makeEntry(QStringLiteral("ÉCOLE de Paris, 100% café"), 3));
        QCOMPARE(idsOf(m_store->search(QStringLiteral("橘猫"))), QList<qint64>{cat});
        QCOMPARE(idsOf(m_store->search(QStringLiteral("red fox"))), QList<qint64>{fox});
        // Beyond ASCII: É folds to é (SQLite's LIKE would not).
        QCOMPARE(idsOf(m_store->search(QStringLiteral("école"))), QList<qint64>{cafe});
        // What the user types is text, not a pattern: '%' and '_' match themselves.
        QCOMPARE(idsOf(m_store->search(QStringLiteral("100%"))), QList<qint64>{cafe});
        QVERIFY(m_store->search(QStringLiteral("_")).empty());
        QCOMPARE(m_store->search(QStringLiteral("  ")).size(), std::size_t(3));
    }

    void searchByDigitsMatchesTheSeed() {
        const auto seeded = *m_store->add(makeEntry(QStringLiteral("a lighthouse"), 42));
        const auto inPrompt = *m_store->add(makeEntry(QStringLiteral("42 cats"), 7));
        m_store->add(makeEntry(QStringLiteral("a dog"), 4242));
        const auto ids = idsOf(m_store->search(QStringLiteral("42")));
        QCOMPARE(ids.size(), qsizetype(2));
        QVERIFY(ids.contains(seeded));
        QVERIFY(ids.contains(inPrompt));
        QCOMPARE(idsOf(m_store->search(QStringLiteral("0042"))), QList<qint64>{seeded});
        QVERIFY(m_store->search(QStringLiteral("99999999999999999999")).empty()); // beyond 64 bits: no seed
    }

    void searchByDateMatchesThatLocalDay() {
        const auto early = *m_store->add(makeEntry(QStringLiteral("a"), 1, localTime(2026, 11, 21, 0, 30)));
        const auto late = *m_store->add(makeEntry(QStringLiteral("b"), 2, localTime(2026, 11, 21, 23, 30)));
        m_store->add(makeEntry(QStringLiteral("c"), 3, localTime(2026, 11, 20, 23, 59)));
        m_store->add(makeEntry(QStringLiteral("d"), 4, localTime(2026, 11, 22, 0, 0)));
        QCOMPARE(idsOf(m_store->search(QStringLiteral("2026-11-21"))), (QList<qint64>{late, early}));
        QVERIFY(m_store->search(QStringLiteral("2026-13-45")).empty()); // no such day: prompt text only
    }

    void listIsNewestFirstWithLimitAndOffset() {
        const auto middle = *m_store->add(makeEntry(QStringLiteral("b"), 2, localTime(2026, 1, 2, 12, 0)));
        const auto newest = *m_store->add(makeEntry(QStringLiteral("c"), 3, localTime(2026, 1, 3, 12, 0)));
        const auto oldest = *m_store->add(makeEntry(QStringLiteral("a"), 1, localTime(2026, 1, 1, 12, 0)));
        QCOMPARE(idsOf(m_store->list()), (QList<qint64>{newest, middle, oldest}));
        QCOMPARE(idsOf(m_store->list(2)), (QList<qint64>{newest, middle}));
        QCOMPARE(idsOf(m_store->list(2, 2)), QList<qint64>{oldest});
        QVERIFY(m_store->list(2, 3).empty());
    }

    void removeDeletesOnce() {
        const auto id = *m_store->add(makeEntry(QStringLiteral("gone"), 1));
        const auto kept = *m_store->add(makeEntry(QStringLiteral("kept"), 2));
        QSignalSpy removed(m_store.get(), &HistoryStore::entryRemoved);
        QVERIFY(m_store->remove(id));
        QCOMPARE(removed.count(), 1);
        QVERIFY(!m_store->find(id).has_value());
        QVERIFY(!m_store->remove(id));
        QVERIFY(m_store->errorString().contains(QString::number(id)));
        QCOMPARE(idsOf(m_store->list()), QList<qint64>{kept});
    }

    void reopenKeepsEntriesInWalModeAtTheSchemaVersion() {
        const auto id = *m_store->add(makeEntry(QStringLiteral("持久"), 5));
        const QString path = m_store->databasePath();
        m_store.reset();
        QCOMPARE(pragma(path, QStringLiteral("journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(pragma(path, QStringLiteral("user_version")).toInt(), zimage::ui::kHistorySchemaVersion);
        HistoryStore reopened(m_dir->filePath(QStringLiteral("data")));
        QVERIFY2(reopened.open(), qPrintable(reopened.errorString()));
        QCOMPARE(reopened.find(id)->prompt(), QStringLiteral("持久"));
    }

    void twoStoresOnOneFileHaveTheirOwnConnections() {
        HistoryStore second(m_dir->filePath(QStringLiteral("data")));
        QVERIFY(second.open());
        const auto id = *second.add(makeEntry(QStringLiteral("from the second"), 9));
        QCOMPARE(m_store->find(id)->prompt(), QStringLiteral("from the second"));
    }

    void aVersionZeroDatabaseIsMigrated() {
        QTemporaryDir dir;
        makeDatabase(dir.filePath(HistoryStore::fileName()), 0);
        HistoryStore store(dir.path());
        QVERIFY2(store.open(), qPrintable(store.errorString()));
        QCOMPARE(pragma(store.databasePath(), QStringLiteral("user_version")).toInt(), 1);
        QVERIFY(store.add(makeEntry(QStringLiteral("x"), 1)).has_value());
    }

    void aNewerSchemaIsRefused() {
        QTemporaryDir dir;
        makeDatabase(dir.filePath(HistoryStore::fileName()), 99);
        HistoryStore store(dir.path());
        QVERIFY(!store.open());
        QVERIFY(!store.isOpen());
        QVERIFY2(store.errorString().contains(QStringLiteral("newer Z-Image Studio")), qPrintable(store.errorString()));
    }

    void aFileThatIsNoDatabaseIsNamed() {
        QTemporaryDir dir;
        QFile file(dir.filePath(HistoryStore::fileName()));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        HistoryStore store(dir.path());
        QVERIFY(!store.open());
        const QString error = store.errorString();
        QVERIFY2(error.contains(QDir::toNativeSeparators(store.databasePath())), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("Move the file aside")), qPrintable(error));
        QVERIFY(!store.add(makeEntry(QStringLiteral("x"), 1)).has_value());
    }

    void aFolderThatCannotBeCreatedIsNamed() {
        // A regular file where a folder of the path should be: no one can create the folder, not even root.
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("blocker")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString folder = dir.filePath(QStringLiteral("blocker/zimage-studio"));
        HistoryStore store(folder);
        QVERIFY(!store.open());
        QVERIFY2(store.errorString().contains(QDir::toNativeSeparators(folder)), qPrintable(store.errorString()));
        QVERIFY(store.errorString().contains(QStringLiteral("choose another data folder")));
    }

    void anUnwritableFolderIsNamed() {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("readonly"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        if (QFileInfo(folder).isWritable()) {
            QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
            QSKIP("permissions do not stop this user (root); the folder-cannot-be-created case covers the message");
        }
        HistoryStore store(folder);
        QVERIFY(!store.open());
        QVERIFY2(store.errorString().contains(QDir::toNativeSeparators(folder)), qPrintable(store.errorString()));
        QVERIFY(store.errorString().contains(QStringLiteral("not writable")));
        QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }

    void modelShowsRowsAndRoles() {
        const auto created = localTime(2026, 11, 21, 8, 5);
        const auto first = *m_store->add(makeEntry(QStringLiteral("first line\nsecond line"), 123, created));
        const auto second = *m_store->add(makeEntry(QStringLiteral("水墨山水画"), 456, created.addSecs(60)));
        HistoryModel model(*m_store);
        QCOMPARE(model.rowCount(), 2);
        const auto top = model.index(0);
        QCOMPARE(model.data(top, HistoryModel::IdRole).toLongLong(), second);
        QCOMPARE(model.data(model.index(1), HistoryModel::IdRole).toLongLong(), first);
        const QString display = model.data(model.index(1)).toString();
        QCOMPARE(display, QStringLiteral("first line\nSeed 123 · 2026-11-21 08:05"));
        QCOMPARE(model.data(model.index(1), HistoryModel::PromptRole).toString(),
                 QStringLiteral("first line\nsecond line"));
        QCOMPARE(model.data(top, HistoryModel::SeedRole).toString(), QStringLiteral("456"));
        QCOMPARE(model.data(top, HistoryModel::CreatedAtRole).toDateTime(), created.addSecs(60));
        QCOMPARE(model.data(top, HistoryModel::ImagePathRole).toString(), QStringLiteral("/pictures/zimage/456.png"));
        const auto request = model.data(top, HistoryModel::RequestRole).value<GenerationRequest>();
        QCOMPARE(request.seed, std::uint64_t(456));
        QCOMPARE(request.prompts, std::vector<std::string>{"水墨山水画"});
        QCOMPARE(request.width, 1248);
        QVERIFY(!model.data(model.index(2), HistoryModel::IdRole).isValid());
        QVERIFY(model.roleNames().value(HistoryModel::RequestRole) == "request");
    }

    void modelFollowsSearchAndStoreChanges() {
        m_store->add(makeEntry(QStringLiteral("a cat"), 1));
        HistoryModel model(*m_store);
        model.setSearchText(QStringLiteral("fox"));
        QCOMPARE(model.rowCount(), 0);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        const auto fox = *m_store->add(makeEntry(QStringLiteral("a fox"), 2));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(m_store->remove(fox));
        QCOMPARE(model.rowCount(), 0);
        model.setSearchText(QString());
        QCOMPARE(model.rowCount(), 1);
    }

    void modelLoadsPageByPage() {
        for (int i = 0; i < 7; ++i)
            m_store->add(makeEntry(QStringLiteral("image %1").arg(i), std::uint64_t(i), localTime(2026, 1, 1, 0, i)));
        HistoryModel model(*m_store, nullptr, 3);
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 6);
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 7);
        QVERIFY(!model.canFetchMore({}));
        // Newest first across pages: image 6 ... image 0.
        QCOMPARE(model.data(model.index(0), HistoryModel::SeedRole).toString(), QStringLiteral("6"));
        QCOMPARE(model.data(model.index(6), HistoryModel::SeedRole).toString(), QStringLiteral("0"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryStore> m_store;
};

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "test_history_store.moc"
