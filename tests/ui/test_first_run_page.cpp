// Model discovery (ui/model_discovery.h) and the first-run page (ui/first_run_page.h). HOME and HF_HOME point at
// temporary folders; a fake Hugging Face cache holds the zimage-tiny fixture as a snapshot (a symlink, as the hub's
// snapshots are folders of symlinks). Expected values: defaultModelSearchPaths() looks in $HF_HOME/hub first, then
// ~/ComfyUI, ~/comfyui, ~/Documents/ComfyUI (model_source.h, model_source.cpp); the download command and the ComfyUI
// file names are README.md's ("Getting the model").

#include "first_run_page.h"
#include "fixture.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace zimage;
using namespace zimage::ui;

namespace {

constexpr int kTimeoutMs = 20000;

QString fixtureModel() {
    return QString::fromStdString((test::fixtureDir() / "model").string());
}

} // namespace

class TestFirstRunPage : public QObject {
    Q_OBJECT

private:
    QString hub() const { return m_hfHome.filePath(QStringLiteral("hub")); }
    QString repo() const { return QDir(hub()).filePath(QStringLiteral("models--Tongyi-MAI--Z-Image-Turbo")); }
    QString snapshot() const { return QDir(repo()).filePath(QStringLiteral("snapshots/0123abcd")); }

    // The hub's layout: models--Tongyi-MAI--Z-Image-Turbo/{refs/main, snapshots/<revision>/}.
    void makeFakeHubCache() {
        QVERIFY(QDir().mkpath(QDir(repo()).filePath(QStringLiteral("refs"))));
        QVERIFY(QDir().mkpath(QDir(repo()).filePath(QStringLiteral("snapshots"))));
        QFile ref(QDir(repo()).filePath(QStringLiteral("refs/main")));
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write("0123abcd");
        ref.close();
        QVERIFY(QFile::link(fixtureModel(), snapshot()));
    }

    void removeFakeHubCache() {
        // The snapshot link first, so that nothing can reach into the fixture it points at.
        if (QFileInfo(snapshot()).isSymLink())
            QVERIFY(QFile::remove(snapshot()));
        QVERIFY(QDir(hub()).removeRecursively());
    }

    QTemporaryDir m_home;
    QTemporaryDir m_hfHome;

private Q_SLOTS:
    void initTestCase() {
        qputenv("HOME", QFile::encodeName(m_home.path()));
        qputenv("HF_HOME", QFile::encodeName(m_hfHome.path()));
        qunsetenv("HF_HUB_CACHE");
        qunsetenv("XDG_CACHE_HOME");
    }

    void searchPathsFollowHfHome() {
        const QStringList expected{hub(), QDir(m_home.path()).filePath(QStringLiteral("ComfyUI")),
                                   QDir(m_home.path()).filePath(QStringLiteral("comfyui")),
                                   QDir(m_home.path()).filePath(QStringLiteral("Documents/ComfyUI"))};
        QCOMPARE(modelSearchPaths(), expected);
    }

    void discoveryFindsTheHubSnapshot() {
        makeFakeHubCache();
        const ModelDiscovery discovery = discoverModels();
        QCOMPARE(discovery.candidates.size(), 1);
        const ModelCandidate& found = discovery.candidates.first();
        QCOMPARE(found.root, snapshot());
        QCOMPARE(found.folder, repo()); // remembered as the repository, so an update's new snapshot is used
        QCOMPARE(found.layout, QStringLiteral("diffusers"));
        QCOMPARE(found.searchPath, hub());
        QVERIFY(found.description.contains(snapshot()));

        QCOMPARE(discovery.searched.size(), modelSearchPaths().size());
        QVERIFY(discovery.searched.first().found);
        for (qsizetype i = 1; i < discovery.searched.size(); ++i) // the ComfyUI folders do not exist here
            QVERIFY(!discovery.searched[i].exists);

        // The remembered folder opens the same model.
        const ModelFolderCheck check = checkModelFolder(found.folder);
        QVERIFY2(check.found, qPrintable(check.problem));
        QCOMPARE(check.model.root, snapshot());
        removeFakeHubCache();
    }

    void discoveryReportsAnIncompleteDownload() {
        makeFakeHubCache();
        QVERIFY(QFile::remove(snapshot()));
        QVERIFY(QDir().mkpath(snapshot())); // a snapshot with nothing downloaded yet
        const ModelDiscovery discovery = discoverModels();
        QVERIFY(discovery.candidates.isEmpty());
        const SearchedLocation& hubLocation = discovery.searched.first();
        QVERIFY(hubLocation.exists);
        QVERIFY(!hubLocation.found);
        QVERIFY2(hubLocation.problem.contains(QStringLiteral("No complete download")), qPrintable(hubLocation.problem));
        removeFakeHubCache();
    }

    void checkOfAFolder() {
        const ModelFolderCheck found = checkModelFolder(fixtureModel());
        QVERIFY(found.found);
        QCOMPARE(found.model.layout, QStringLiteral("diffusers"));
        QCOMPARE(found.model.folder, fixtureModel());

        QTemporaryDir empty;
        const ModelFolderCheck missing = checkModelFolder(empty.path());
        QVERIFY(!missing.found);
        QVERIFY2(missing.problem.contains(empty.path()), qPrintable(missing.problem));
        QVERIFY(!missing.hint.isEmpty()); // EngineError's hint: how to get the model
    }

    void pageExplainsTheDownload() {
        FirstRunPage page;
        const auto* command = page.findChild<QLineEdit*>(QStringLiteral("downloadCommand"));
        QVERIFY(command);
        QCOMPARE(command->text(), QStringLiteral("huggingface-cli download Tongyi-MAI/Z-Image-Turbo"));
        QVERIFY(command->isReadOnly());
        const auto* files = page.findChild<QLabel*>(QStringLiteral("comfyFiles"));
        QVERIFY(files);
        for (const char* file : {"models/diffusion_models/z_image_turbo_bf16.safetensors",
                                 "models/text_encoders/qwen_3_4b.safetensors", "models/vae/ae.safetensors"})
            QVERIFY(files->text().contains(QString::fromLatin1(file)));
        // The page names where it looks before any search.
        const QString status = page.findChild<QLabel*>(QStringLiteral("firstRunStatus"))->text();
        QVERIFY2(status.contains(hub()), qPrintable(status));

        auto* copy = page.findChild<QPushButton*>(QStringLiteral("downloadCommandCopy"));
        QVERIFY(copy);
        copy->click();
        QCOMPARE(QApplication::clipboard()->text(), FirstRunPage::downloadCommand());
    }

    void searchAgainFindsANewDownload() {
        FirstRunPage page;
        QSignalSpy finished(&page, &FirstRunPage::searchFinished);
        QSignalSpy found(&page, &FirstRunPage::modelFound);
        page.searchAgain();
        QVERIFY(page.isBusy());
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.last().first().toInt(), 0);
        QCOMPARE(found.count(), 0);
        const auto* status = page.findChild<QLabel*>(QStringLiteral("firstRunStatus"));
        QVERIFY2(status->text().startsWith(QStringLiteral("No model was found. Searched:")),
                 qPrintable(status->text()));
        QVERIFY(status->text().contains(QStringLiteral("%1: does not exist.").arg(hub())));

        makeFakeHubCache(); // the download finished
        page.searchAgain();
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.last().first().toInt(), 1);
        QCOMPARE(found.count(), 1);
        QCOMPARE(found.last().first().toString(), repo());
        QVERIFY(status->text().contains(QStringLiteral("%1: the model is here.").arg(hub())));
        QVERIFY(!page.isBusy());
        removeFakeHubCache();
    }

    void chosenFolderIsChecked() {
        FirstRunPage page;
        QSignalSpy chosen(&page, &FirstRunPage::modelFolderChosen);
        QSignalSpy rejected(&page, &FirstRunPage::folderRejected);

        QTemporaryDir empty;
        page.chooseFolder(empty.path());
        QVERIFY(rejected.wait(kTimeoutMs));
        QCOMPARE(chosen.count(), 0);
        const QString status = page.findChild<QLabel*>(QStringLiteral("firstRunStatus"))->text();
        QVERIFY2(status.contains(checkModelFolder(empty.path()).problem), qPrintable(status));

        page.chooseFolder(fixtureModel());
        QVERIFY(chosen.wait(kTimeoutMs));
        QCOMPARE(chosen.last().first().toString(), fixtureModel());
    }

    void problemIsShownWhenSet() {
        FirstRunPage page;
        auto* problem = page.findChild<QLabel*>(QStringLiteral("firstRunProblem"));
        QVERIFY(problem->isHidden());
        page.setProblem(QStringLiteral("The model folder is incomplete."));
        QVERIFY(!problem->isHidden());
        QCOMPARE(problem->text(), QStringLiteral("The model folder is incomplete."));
        page.setProblem({});
        QVERIFY(problem->isHidden());
    }
};

QTEST_MAIN(TestFirstRunPage)
#include "test_first_run_page.moc"
