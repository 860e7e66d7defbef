// SettingsDialog (ui/settings_dialog.h) driven through its controls (found by objectName): it shows what AppSettings
// holds, OK writes the edits (a new AppSettings on the same file reads them) and Cancel does not, Restore defaults
// shows Preferences::defaults(), and the inline checks of the output and model folders say what they found. Expected
// values: the settings written here; the model check's texts come from checkModelFolder()/checkOutputFolder() (the
// engine's locateModel explains what is missing); the zimage-tiny fixture is a complete diffusers folder (fixture.h).

#include "fixture.h"
#include "settings_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace zimage;
using namespace zimage::ui;

namespace {

constexpr int kTimeoutMs = 20000;

QString fixtureModel() {
    return QString::fromStdString((test::fixtureDir() / "model").string());
}

template <typename T>
T* child(const QWidget& parent, const char* name) {
    auto* widget = parent.findChild<T*>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

void selectData(QComboBox* box, const QString& data) {
    const int index = box->findData(data);
    QVERIFY2(index >= 0, qPrintable(data));
    box->setCurrentIndex(index);
}

QPushButton* button(const SettingsDialog& dialog, QDialogButtonBox::StandardButton which) {
    return child<QDialogButtonBox>(dialog, "settingsButtons")->button(which);
}

} // namespace

class TestSettingsDialog : public QObject {
    Q_OBJECT

private:
    QString iniPath() const { return m_dir.filePath(QStringLiteral("settings.ini")); }

    // A file with every dialog setting away from its default.
    void writeNonDefaults() {
        AppSettings settings(iniPath());
        Preferences preferences;
        preferences.modelFolder = fixtureModel();
        preferences.device = DeviceChoice::Cpu;
        preferences.precision = Precision::Fp32;
        preferences.vramBudgetGiB = 6.0;
        preferences.vaeTiling = TilingChoice::On;
        preferences.vaeTileSize = 768;
        preferences.noiseSource = NoiseSource::Cuda;
        preferences.outputFolder = m_dir.filePath(QStringLiteral("out"));
        preferences.language = QStringLiteral("en");
        preferences.previewEnabled = false;
        settings.setPreferences(preferences);
        QVERIFY(settings.sync());
    }

    QTemporaryDir m_dir;
    QTemporaryDir m_home; // HOME and the Hugging Face cache: empty, so auto-detection finds nothing of the user's

private Q_SLOTS:
    void initTestCase() {
        qputenv("HOME", QFile::encodeName(m_home.path()));
        qputenv("HF_HOME", QFile::encodeName(m_home.filePath(QStringLiteral("hf"))));
        qunsetenv("HF_HUB_CACHE");
        qunsetenv("XDG_CACHE_HOME");
    }

    void init() { QFile::remove(iniPath()); }

    void showsTheStoredSettings() {
        writeNonDefaults();
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        QCOMPARE(child<QLineEdit>(dialog, "modelFolderEdit")->text(), fixtureModel());
        QCOMPARE(child<QComboBox>(dialog, "deviceCombo")->currentData().toString(), QStringLiteral("cpu"));
        QCOMPARE(child<QComboBox>(dialog, "precisionCombo")->currentData().toString(), QStringLiteral("fp32"));
        QCOMPARE(child<QDoubleSpinBox>(dialog, "vramBudgetSpin")->value(), 6.0);
        QCOMPARE(child<QComboBox>(dialog, "vaeTilingCombo")->currentData().toString(), QStringLiteral("on"));
        QCOMPARE(child<QSpinBox>(dialog, "vaeTileSizeSpin")->value(), 768);
        QCOMPARE(child<QComboBox>(dialog, "noiseSourceCombo")->currentData().toString(), QStringLiteral("cuda"));
        QCOMPARE(child<QLineEdit>(dialog, "outputFolderEdit")->text(), m_dir.filePath(QStringLiteral("out")));
        QCOMPARE(child<QComboBox>(dialog, "languageCombo")->currentData().toString(), QStringLiteral("en"));
        QCOMPARE(child<QCheckBox>(dialog, "previewCheck")->isChecked(), false);
        QCOMPARE(dialog.preferences(), settings.preferences());
    }

    void okWritesTheEdits() {
        SettingsChanges changes;
        {
            AppSettings settings(iniPath());
            SettingsDialog dialog(settings);
            QSignalSpy changed(&dialog, &SettingsDialog::settingsChanged);
            child<QLineEdit>(dialog, "modelFolderEdit")->setText(fixtureModel());
            selectData(child<QComboBox>(dialog, "deviceCombo"), QStringLiteral("cuda"));
            selectData(child<QComboBox>(dialog, "precisionCombo"), QStringLiteral("bf16"));
            child<QDoubleSpinBox>(dialog, "vramBudgetSpin")->setValue(12.5);
            selectData(child<QComboBox>(dialog, "vaeTilingCombo"), QStringLiteral("on"));
            child<QSpinBox>(dialog, "vaeTileSizeSpin")->setValue(1024);
            selectData(child<QComboBox>(dialog, "noiseSourceCombo"), QStringLiteral("cuda"));
            child<QLineEdit>(dialog, "outputFolderEdit")->setText(m_dir.filePath(QStringLiteral("images")));
            selectData(child<QComboBox>(dialog, "languageCombo"), QStringLiteral("zh_CN"));
            child<QCheckBox>(dialog, "previewCheck")->setChecked(false);
            button(dialog, QDialogButtonBox::Ok)->click();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
            QCOMPARE(changed.count(), 1);
            changes = dialog.changes();
            QCOMPARE(changed.first().first().value<SettingsChanges>(), changes);
        }
        AppSettings reread(iniPath());
        QCOMPARE(reread.modelFolder(), fixtureModel());
        QCOMPARE(reread.device(), DeviceChoice::Cuda);
        QCOMPARE(reread.precision(), Precision::Bf16);
        QCOMPARE(reread.vramBudgetGiB(), 12.5);
        QCOMPARE(reread.vaeTiling(), TilingChoice::On);
        QCOMPARE(reread.vaeTileSize(), 1024);
        QCOMPARE(reread.noiseSource(), NoiseSource::Cuda);
        QCOMPARE(reread.outputFolder(), m_dir.filePath(QStringLiteral("images")));
        QCOMPARE(reread.language(), QStringLiteral("zh_CN"));
        QCOMPARE(reread.previewEnabled(), false);
        // Every group changed (app_settings.h, SettingsChange).
        const SettingsChanges all = SettingsChange::ModelReload | SettingsChange::MemoryOptions |
                                    SettingsChange::NoiseSource | SettingsChange::OutputFolder |
                                    SettingsChange::Language | SettingsChange::Preview;
        QCOMPARE(changes, all);
    }

    void okWithoutEditsChangesNothing() {
        writeNonDefaults();
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        QSignalSpy changed(&dialog, &SettingsDialog::settingsChanged);
        button(dialog, QDialogButtonBox::Ok)->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(static_cast<int>(dialog.changes()), 0);
    }

    void memoryEditsNeedNoReload() {
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        child<QDoubleSpinBox>(dialog, "vramBudgetSpin")->setValue(4.0);
        button(dialog, QDialogButtonBox::Ok)->click();
        QCOMPARE(dialog.changes(), SettingsChanges(SettingsChange::MemoryOptions));
    }

    void cancelWritesNothing() {
        writeNonDefaults();
        {
            AppSettings settings(iniPath());
            SettingsDialog dialog(settings);
            child<QLineEdit>(dialog, "modelFolderEdit")->setText(QStringLiteral("/elsewhere"));
            selectData(child<QComboBox>(dialog, "deviceCombo"), QStringLiteral("auto"));
            child<QDoubleSpinBox>(dialog, "vramBudgetSpin")->setValue(0.0);
            child<QCheckBox>(dialog, "previewCheck")->setChecked(true);
            button(dialog, QDialogButtonBox::Cancel)->click();
            QCOMPARE(dialog.result(), int(QDialog::Rejected));
        }
        AppSettings reread(iniPath());
        QCOMPARE(reread.modelFolder(), fixtureModel());
        QCOMPARE(reread.device(), DeviceChoice::Cpu);
        QCOMPARE(reread.vramBudgetGiB(), 6.0);
        QCOMPARE(reread.previewEnabled(), false);
    }

    void restoreDefaultsShowsThemUntilOk() {
        writeNonDefaults();
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        button(dialog, QDialogButtonBox::RestoreDefaults)->click();
        QCOMPARE(dialog.preferences(), Preferences::defaults());
        QVERIFY(!child<QSpinBox>(dialog, "vaeTileSizeSpin")->value());
        QCOMPARE(AppSettings(iniPath()).device(), DeviceChoice::Cpu); // not written yet
        button(dialog, QDialogButtonBox::Ok)->click();
        QCOMPARE(AppSettings(iniPath()).preferences(), Preferences::defaults());
    }

    void invalidSpinValuesAreSnapped() {
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        // MemoryOptions::validate(): a budget of at least 0.5 GiB, tiles a multiple of 64 from 256.
        child<QDoubleSpinBox>(dialog, "vramBudgetSpin")->setValue(0.2);
        child<QSpinBox>(dialog, "vaeTileSizeSpin")->setValue(300);
        QCOMPARE(dialog.preferences().vramBudgetGiB, 0.5);
        QCOMPARE(dialog.preferences().vaeTileSize, 320);
        // Stepping up from Automatic lands on the smallest valid tile, stepping down from it back on Automatic.
        auto* tile = child<QSpinBox>(dialog, "vaeTileSizeSpin");
        tile->setValue(0);
        tile->stepUp();
        QCOMPARE(tile->value(), 256);
        tile->stepUp();
        QCOMPARE(tile->value(), 320);
        tile->stepDown();
        tile->stepDown();
        QCOMPARE(tile->value(), 0);
    }

    void tileSizeIsDisabledWithTilingOff() {
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        selectData(child<QComboBox>(dialog, "vaeTilingCombo"), QStringLiteral("off"));
        QVERIFY(!child<QSpinBox>(dialog, "vaeTileSizeSpin")->isEnabled());
        selectData(child<QComboBox>(dialog, "vaeTilingCombo"), QStringLiteral("on"));
        QVERIFY(child<QSpinBox>(dialog, "vaeTileSizeSpin")->isEnabled());
    }

    void unwritableOutputFolderIsShownInline() {
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        // Below a regular file nothing can be created, even by root (who may write into read-only folders).
        const QString blocker = m_dir.filePath(QStringLiteral("blocker"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const QString unusable = blocker + QStringLiteral("/images");

        QSignalSpy checked(&dialog, &SettingsDialog::outputFolderChecked);
        child<QLineEdit>(dialog, "outputFolderEdit")->setText(unusable);
        QVERIFY(checked.wait(kTimeoutMs));
        QCOMPARE(checked.last().first().toBool(), false);
        auto* status = child<QLabel>(dialog, "outputFolderStatus");
        QCOMPARE(status->text(), checkOutputFolder(unusable).message);
        QVERIFY2(status->text().contains(QStringLiteral("is not a folder")), qPrintable(status->text()));

        child<QLineEdit>(dialog, "outputFolderEdit")->setText(m_dir.path());
        QVERIFY(checked.wait(kTimeoutMs));
        QCOMPARE(checked.last().first().toBool(), true);
        QCOMPARE(status->text(), QStringLiteral("Images are saved in this folder."));

        const QString later = m_dir.filePath(QStringLiteral("not/yet"));
        child<QLineEdit>(dialog, "outputFolderEdit")->setText(later);
        QVERIFY(checked.wait(kTimeoutMs));
        QCOMPARE(checked.last().first().toBool(), true); // created when the first image is saved
        QVERIFY(status->text().contains(QStringLiteral("does not exist yet")));
    }

    void outputFolderChecksByThemselves() {
        QVERIFY(!checkOutputFolder(QString()).usable);
        QVERIFY(!checkOutputFolder(QStringLiteral("relative/images")).usable);
        QVERIFY(checkOutputFolder(m_dir.path()).usable);
        // No temporary file is left behind by the check.
        QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden).filter(QStringLiteral("zimage")).size(), 0);
    }

    void modelFolderCheckFindsTheFixture() {
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        QSignalSpy checked(&dialog, &SettingsDialog::modelFolderChecked);
        child<QLineEdit>(dialog, "modelFolderEdit")->setText(fixtureModel());
        QVERIFY(checked.wait(kTimeoutMs));
        QCOMPARE(checked.last().first().toBool(), true);
        const QString text = child<QLabel>(dialog, "modelFolderStatus")->text();
        QVERIFY2(text.startsWith(QStringLiteral("Found a diffusers model in “%1”.").arg(fixtureModel())),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("transformer")), qPrintable(text)); // ModelSource::describe()
    }

    void modelFolderCheckSaysWhatIsMissing() {
        QTemporaryDir empty;
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        QSignalSpy checked(&dialog, &SettingsDialog::modelFolderChecked);
        child<QLineEdit>(dialog, "modelFolderEdit")->setText(empty.path());
        QVERIFY(checked.wait(kTimeoutMs));
        QCOMPARE(checked.last().first().toBool(), false);
        const QString text = child<QLabel>(dialog, "modelFolderStatus")->text();
        const ModelFolderCheck expected = checkModelFolder(empty.path());
        QVERIFY(!expected.problem.isEmpty());
        QVERIFY2(text.contains(expected.problem), qPrintable(text));
        QVERIFY2(text.contains(empty.path()), qPrintable(text)); // the engine names the folder it looked in
    }

    void emptyModelFolderMeansAutoDetect() {
        // Nothing in HOME or HF_HOME (initTestCase): auto-detection finds nothing and says so.
        AppSettings settings(iniPath());
        SettingsDialog dialog(settings);
        QSignalSpy checked(&dialog, &SettingsDialog::modelFolderChecked);
        QVERIFY(checked.wait(kTimeoutMs)); // the check of the loaded (empty) folder
        QCOMPARE(checked.last().first().toBool(), false);
        const QString text = child<QLabel>(dialog, "modelFolderStatus")->text();
        QVERIFY2(text.startsWith(QStringLiteral("No model was found in the usual places.")), qPrintable(text));
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "test_settings_dialog.moc"
