// The history tab (ui/history_panel.h) over a HistoryStore in a fresh temporary folder. The expected rows and
// emitted entries are the entries each test records (their prompts, seeds and dates); "missing" and "present" are
// image files the test does or does not write.

#include "history_model.h"
#include "history_panel.h"
#include "history_store.h"
#include "thumbnail_cache.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QInputMethodEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using zimage::ui::HistoryEntry;
using zimage::ui::HistoryModel;
using zimage::ui::HistoryPanel;
using zimage::ui::HistoryStore;
using zimage::ui::ThumbnailCache;
using zimage::ui::ThumbnailState;

namespace {

QDateTime localTime(int day, int hour) {
    return QDateTime(QDate(2026, 11, day), QTime(hour, 0), Qt::LocalTime);
}

HistoryEntry makeEntry(const QString& prompt, std::uint64_t seed, const QDateTime& createdAt, const QString& image) {
    HistoryEntry entry;
    entry.request.prompts = {prompt.toStdString()};
    entry.request.negativePrompt = "blurry";
    entry.request.seed = seed;
    entry.request.steps = 9;
    entry.request.width = 1248;
    entry.request.height = 832;
    entry.request.guidance = 2.5;
    entry.request.noise = zimage::NoiseSource::Cuda;
    entry.request.precision = zimage::Precision::Bf16;
    entry.createdAt = createdAt;
    entry.model = QStringLiteral("Z-Image-Turbo");
    entry.device = QStringLiteral("cuda:0 (NVIDIA H200)");
    entry.precision = QStringLiteral("bf16");
    entry.imagePath = image;
    return entry;
}

// Every field the history keeps, so "the exact entry" means all of them.
void compareEntries(const HistoryEntry& actual, const HistoryEntry& expected) {
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.createdAt, expected.createdAt);
    QCOMPARE(actual.request.prompts, expected.request.prompts);
    QCOMPARE(actual.request.negativePrompt, expected.request.negativePrompt);
    QCOMPARE(actual.request.seed, expected.request.seed);
    QCOMPARE(actual.request.steps, expected.request.steps);
    QCOMPARE(actual.request.width, expected.request.width);
    QCOMPARE(actual.request.height, expected.request.height);
    QCOMPARE(actual.request.guidance, expected.request.guidance);
    QVERIFY(actual.request.noise == expected.request.noise);
    QVERIFY(actual.request.precision == expected.request.precision);
    QCOMPARE(actual.model, expected.model);
    QCOMPARE(actual.device, expected.device);
    QCOMPARE(actual.precision, expected.precision);
    QCOMPARE(actual.imagePath, expected.imagePath);
}

QList<std::uint64_t> seedsOf(const HistoryModel& model) {
    QList<std::uint64_t> seeds;
    for (int row = 0; row < model.rowCount(); ++row)
        seeds << model.index(row).data(HistoryModel::SeedRole).toString().toULongLong();
    return seeds;
}

bool showInActiveWindow(QWidget& widget) {
    widget.show();
    widget.activateWindow();
    return QTest::qWaitForWindowActive(&widget);
}

QAbstractButton* button(const HistoryPanel& panel, const char* name) {
    return panel.findChild<QAbstractButton*>(QString::fromLatin1(name));
}

// Pixels of `color` in `rect` of `image`.
int pixelsOf(const QImage& image, const QRect& rect, const QColor& color) {
    int count = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x)
            count += image.pixelColor(x, y) == color ? 1 : 0;
    return count;
}

} // namespace

class TestHistoryPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_store = std::make_unique<HistoryStore>(m_dir->filePath(QStringLiteral("data")));
        QVERIFY2(m_store->open(), qPrintable(m_store->errorString()));
        m_cache = std::make_unique<ThumbnailCache>(QString());
    }

    void cleanup() {
        m_cache.reset();
        m_store.reset();
        m_dir.reset();
    }

    void searchesPromptsSeedsAndDates() {
        add(makeEntry(QStringLiteral("一只橘猫坐在窗台上"), 111, localTime(20, 10), image("111")));
        add(makeEntry(QStringLiteral("A red fox in the snow"), 222, localTime(21, 9), image("222")));
        add(makeEntry(QStringLiteral("橘子 still life, oil on canvas"), 333, localTime(21, 11), image("333")));
        HistoryPanel panel(*m_store, *m_cache);
        QVERIFY(showInActiveWindow(panel));
        HistoryModel& model = *panel.model();
        QCOMPARE(seedsOf(model), (QList<std::uint64_t>{333, 222, 111})); // newest first

        // Typing searches after a pause, not per key.
        QLineEdit* field = panel.findChild<QLineEdit*>(QStringLiteral("historySearch"));
        QVERIFY(field);
        field->setFocus();
        QSignalSpy reset(&model, &HistoryModel::modelReset);
        // Chinese is typed through an input method, which commits the text.
        QInputMethodEvent typed;
        typed.setCommitString(QStringLiteral("橘"));
        QApplication::sendEvent(field, &typed);
        QCOMPARE(field->text(), QStringLiteral("橘"));
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(reset.wait(2000));
        QCOMPARE(reset.size(), 1);
        QCOMPARE(seedsOf(model), (QList<std::uint64_t>{333, 111}));

        panel.search(QStringLiteral("fox"));
        QCOMPARE(seedsOf(model), QList<std::uint64_t>{222});
        panel.search(QStringLiteral("111"));
        QCOMPARE(seedsOf(model), QList<std::uint64_t>{111});
        QCOMPARE(field->text(), QStringLiteral("111"));
        panel.search(QStringLiteral("2026-11-21"));
        QCOMPARE(seedsOf(model), (QList<std::uint64_t>{333, 222}));
        panel.search(QStringLiteral("nothing like this"));
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("historyMessage"))->text(),
                 QStringLiteral("Nothing in the history matches “nothing like this”."));
        QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(field, Qt::Key_Backspace);
        QTRY_COMPARE(model.rowCount(), 3);
    }

    void reproduceAndRegenerateEmitTheExactEntry() {
        add(makeEntry(QStringLiteral("first"), 1, localTime(19, 8), image("1")));
        // As recorded and read back (the store's own values: its id, its time stamp's precision).
        const HistoryEntry second = add(
            makeEntry(QStringLiteral("一只橘猫\nsecond line"), 18446744073709551615ULL, localTime(19, 9), image("2")));
        HistoryPanel panel(*m_store, *m_cache);
        QVERIFY(showInActiveWindow(panel));
        QCOMPARE(panel.model()->rowCount(), 2);
        QListView* view = panel.findChild<QListView*>(QStringLiteral("historyView"));
        view->setCurrentIndex(panel.model()->index(0));

        QSignalSpy reproduce(&panel, &HistoryPanel::reproduceRequested);
        QSignalSpy regenerate(&panel, &HistoryPanel::regenerateRequested);
        QTest::mouseClick(button(panel, "reproduceButton"), Qt::LeftButton);
        QCOMPARE(reproduce.size(), 1);
        compareEntries(reproduce.at(0).at(0).value<HistoryEntry>(), second);
        QTest::mouseClick(button(panel, "regenerateButton"), Qt::LeftButton);
        QCOMPARE(regenerate.size(), 1);
        compareEntries(regenerate.at(0).at(0).value<HistoryEntry>(), second);

        // Enter (or a double click) reproduces.
        view->setFocus();
        QTest::keyClick(view, Qt::Key_Return);
        QCOMPARE(reproduce.size(), 2);
        compareEntries(reproduce.at(1).at(0).value<HistoryEntry>(), second);

        QTest::mouseClick(button(panel, "copySeedButton"), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("18446744073709551615"));
    }

    void missingImageIsMarkedAndStillReproduces() {
        const QString present = image("present");
        QImage picture(40, 30, QImage::Format_RGB32);
        picture.fill(Qt::darkBlue);
        QVERIFY(picture.save(present));
        const HistoryEntry kept = add(makeEntry(QStringLiteral("kept"), 7, localTime(18, 8), present));
        const HistoryEntry gone =
            add(makeEntry(QStringLiteral("gone"), 8, localTime(18, 9), image("deleted-long-ago")));
        HistoryPanel panel(*m_store, *m_cache);
        panel.resize(700, 400);
        QVERIFY(showInActiveWindow(panel));
        QListView* view = panel.view();
        QTRY_VERIFY(panel.fileInfo(gone.imagePath).state == HistoryPanel::FileState::Missing);
        QTRY_VERIFY(panel.fileInfo(kept.imagePath).state == HistoryPanel::FileState::Present);
        // The present image's thumbnail, from the cache, as the gallery's would be.
        const HistoryPanel::FileInfo info = panel.fileInfo(present);
        QTRY_VERIFY(m_cache->peek({present, info.size, info.modified}).state == ThumbnailState::Ready);

        // The mark is drawn in its warning red on the missing entry's row only (row 0: the newer).
        view->clearSelection();
        view->setCurrentIndex({});
        const QImage shot = view->viewport()->grab().toImage();
        const QColor red(214, 48, 49);
        QVERIFY(pixelsOf(shot, view->visualRect(panel.model()->index(0)), red) > 0);
        QCOMPARE(pixelsOf(shot, view->visualRect(panel.model()->index(1)), red), 0);

        // It cannot be opened, and says why; it still reproduces.
        view->setCurrentIndex(panel.model()->index(0));
        QVERIFY(!button(panel, "openImageButton")->isEnabled());
        QSignalSpy open(&panel, &HistoryPanel::openImageRequested);
        QSignalSpy messages(&panel, &HistoryPanel::statusMessage);
        panel.openCurrentImage();
        QCOMPARE(open.size(), 0);
        QCOMPARE(messages.size(), 1);
        QVERIFY(messages.at(0).at(0).toString().contains(gone.imagePath));
        QSignalSpy reproduce(&panel, &HistoryPanel::reproduceRequested);
        QTest::mouseClick(button(panel, "reproduceButton"), Qt::LeftButton);
        QCOMPARE(reproduce.size(), 1);
        compareEntries(reproduce.at(0).at(0).value<HistoryEntry>(), gone);

        view->setCurrentIndex(panel.model()->index(1));
        QVERIFY(button(panel, "openImageButton")->isEnabled());
        QTest::mouseClick(button(panel, "openImageButton"), Qt::LeftButton);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.at(0).at(0).toString(), present);

        // Deleted meanwhile: noticed when the panel looks again (as it does when shown).
        QVERIFY(QFile::remove(present));
        panel.recheckFiles();
        QTRY_VERIFY(panel.fileInfo(present).state == HistoryPanel::FileState::Missing);
        QVERIFY(!button(panel, "openImageButton")->isEnabled());
    }

    void removeKeepsTheImageFile() {
        const QString file = image("keep-me");
        QImage picture(8, 8, QImage::Format_RGB32);
        picture.fill(Qt::red);
        QVERIFY(picture.save(file));
        const HistoryEntry older = add(makeEntry(QStringLiteral("older"), 5, localTime(17, 8), image("x")));
        const HistoryEntry newer = add(makeEntry(QStringLiteral("newer"), 6, localTime(17, 9), file));
        HistoryPanel panel(*m_store, *m_cache);
        QVERIFY(showInActiveWindow(panel));
        panel.view()->setCurrentIndex(panel.model()->index(0));
        QTest::mouseClick(button(panel, "removeEntryButton"), Qt::LeftButton);
        QVERIFY(!m_store->find(newer.id));
        QCOMPARE(seedsOf(*panel.model()), QList<std::uint64_t>{5});
        QVERIFY(QFile::exists(file));
        QCOMPARE(panel.currentEntry()->id, older.id); // the list keeps its place

        panel.view()->setFocus();
        QTest::keyClick(panel.view(), Qt::Key_Delete);
        QCOMPARE(panel.model()->rowCount(), 0);
        QVERIFY(panel.findChild<QLabel*>(QStringLiteral("historyMessage"))->isVisible());
        QVERIFY(!button(panel, "reproduceButton")->isEnabled());
    }

    void loadsPagesAsTheListScrolls() {
        // HistoryModel's page: kDefaultPageSize entries first, the next page when the view reaches the end.
        const int total = HistoryModel::kDefaultPageSize + 50;
        for (int i = 0; i < total; ++i)
            add(makeEntry(QStringLiteral("entry %1").arg(i), std::uint64_t(1000 + i), localTime(10, 0).addSecs(i),
                          image("p")));
        HistoryPanel panel(*m_store, *m_cache);
        panel.resize(600, 500);
        QVERIFY(showInActiveWindow(panel));
        QCOMPARE(panel.model()->rowCount(), HistoryModel::kDefaultPageSize);
        QScrollBar* bar = panel.view()->verticalScrollBar();
        QTRY_VERIFY(bar->maximum() > 0);
        bar->setValue(bar->maximum());
        QTRY_COMPARE(panel.model()->rowCount(), total);
        QCOMPARE(seedsOf(*panel.model()).last(), std::uint64_t(1000));
    }

private:
    HistoryEntry add(HistoryEntry entry) {
        const auto id = m_store->add(entry);
        if (!id)
            qFatal("cannot record an entry: %s", qPrintable(m_store->errorString()));
        return *m_store->find(*id);
    }

    QString image(const char* name) const {
        return m_dir->filePath(QStringLiteral("%1.png").arg(QString::fromLatin1(name)));
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryStore> m_store;
    std::unique_ptr<ThumbnailCache> m_cache;
};

QTEST_MAIN(TestHistoryPanel)
#include "test_history_panel.moc"
