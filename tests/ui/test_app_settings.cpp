// AppSettings (ui/app_settings.h): every key survives a round trip through the INI file (written by one instance, read
// by a new one), a fresh file reads as the defaults, stored values that are corrupt or out of range read as the
// defaults, and the engine options map from the settings. Expected values: the defaults and the ranges are those the
// header and zimage::MemoryOptions::validate() (memory_plan.h) document; enums are stored by the names of request.h
// and memory_plan.h (deviceChoiceName, precisionName, tilingChoiceName, noiseSourceName).

#include "app_settings.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace zimage;
using namespace zimage::ui;

class TestAppSettings : public QObject {
    Q_OBJECT

private:
    QString iniPath() const { return m_dir.filePath(QStringLiteral("settings.ini")); }

    // Non-default values for every key of Preferences.
    static Preferences changedPreferences() {
        Preferences preferences;
        preferences.modelFolder = QStringLiteral("/models/Z-Image-Turbo");
        preferences.device = DeviceChoice::Cuda;
        preferences.precision = Precision::Fp16;
        preferences.vramBudgetGiB = 7.5;
        preferences.vaeTiling = TilingChoice::On;
        preferences.vaeTileSize = 512;
        preferences.noiseSource = NoiseSource::Cuda;
        preferences.outputFolder = QStringLiteral("/data/images");
        preferences.language = QStringLiteral("zh_CN");
        preferences.previewEnabled = false;
        return preferences;
    }

    QTemporaryDir m_dir;

private Q_SLOTS:
    void init() { QFile::remove(iniPath()); }

    void freshFileReadsAsDefaults() {
        AppSettings settings(iniPath());
        // Defaults from app_settings.h and the brief: auto-detect, automatic device/precision/budget/tiling, CPU
        // noise (ComfyUI's seeds), Pictures/Z-Image Studio, the system's language, preview on, first run not done.
        QCOMPARE(settings.modelFolder(), QString());
        QCOMPARE(settings.device(), DeviceChoice::Auto);
        QCOMPARE(settings.precision(), Precision::Auto);
        QCOMPARE(settings.vramBudgetGiB(), 0.0);
        QCOMPARE(settings.vaeTiling(), TilingChoice::Auto);
        QCOMPARE(settings.vaeTileSize(), 0);
        QCOMPARE(settings.noiseSource(), NoiseSource::Cpu);
        const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
        QCOMPARE(settings.outputFolder(), QDir(pictures).filePath(QStringLiteral("Z-Image Studio")));
        QCOMPARE(settings.language(), QString());
        QCOMPARE(settings.previewEnabled(), true);
        QCOMPARE(settings.firstRunDone(), false);
        QVERIFY(settings.windowGeometry().isEmpty());
        QVERIFY(settings.windowState().isEmpty());
        QCOMPARE(settings.preferences(), Preferences::defaults());
    }

    void everyKeyRoundTrips() {
        const Preferences written = changedPreferences();
        const QByteArray geometry("\x01\xd9\xd0\xcb\x00\x03", 6); // binary, as saveGeometry() makes
        const QByteArray state("\x00\x00\x00\xff", 4);
        {
            AppSettings settings(iniPath());
            settings.setPreferences(written);
            settings.setFirstRunDone(true);
            settings.setWindowGeometry(geometry);
            settings.setWindowState(state);
            QVERIFY(settings.sync());
        }
        AppSettings reread(iniPath());
        QCOMPARE(reread.modelFolder(), written.modelFolder);
        QCOMPARE(reread.device(), written.device);
        QCOMPARE(reread.precision(), written.precision);
        QCOMPARE(reread.vramBudgetGiB(), written.vramBudgetGiB);
        QCOMPARE(reread.vaeTiling(), written.vaeTiling);
        QCOMPARE(reread.vaeTileSize(), written.vaeTileSize);
        QCOMPARE(reread.noiseSource(), written.noiseSource);
        QCOMPARE(reread.outputFolder(), written.outputFolder);
        QCOMPARE(reread.language(), written.language);
        QCOMPARE(reread.previewEnabled(), written.previewEnabled);
        QCOMPARE(reread.firstRunDone(), true);
        QCOMPARE(reread.windowGeometry(), geometry);
        QCOMPARE(reread.windowState(), state);
        QCOMPARE(reread.preferences(), written);
    }

    void enumsAreStoredByEngineName() {
        {
            AppSettings settings(iniPath());
            settings.setPreferences(changedPreferences());
            QVERIFY(settings.sync());
        }
        // The names of request.h / memory_plan.h, as the CLI spells them.
        QSettings raw(iniPath(), QSettings::IniFormat);
        QCOMPARE(raw.value(QStringLiteral("device/device")).toString(), QStringLiteral("cuda"));
        QCOMPARE(raw.value(QStringLiteral("device/precision")).toString(), QStringLiteral("fp16"));
        QCOMPARE(raw.value(QStringLiteral("memory/vaeTiling")).toString(), QStringLiteral("on"));
        QCOMPARE(raw.value(QStringLiteral("images/noiseSource")).toString(), QStringLiteral("cuda"));
    }

    void corruptValuesReadAsDefaults_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QVariant>("stored");
        QTest::newRow("device name") << QStringLiteral("device/device") << QVariant(QStringLiteral("gpu0"));
        QTest::newRow("device as int") << QStringLiteral("device/device") << QVariant(2);
        QTest::newRow("precision") << QStringLiteral("device/precision") << QVariant(QStringLiteral("int4"));
        QTest::newRow("budget text") << QStringLiteral("memory/vramBudgetGiB") << QVariant(QStringLiteral("lots"));
        QTest::newRow("budget below 0.5") << QStringLiteral("memory/vramBudgetGiB") << QVariant(0.25);
        QTest::newRow("budget negative") << QStringLiteral("memory/vramBudgetGiB") << QVariant(-4.0);
        QTest::newRow("budget above 4096") << QStringLiteral("memory/vramBudgetGiB") << QVariant(5000.0);
        QTest::newRow("tiling") << QStringLiteral("memory/vaeTiling") << QVariant(QStringLiteral("sometimes"));
        QTest::newRow("tile not a multiple of 64") << QStringLiteral("memory/vaeTileSize") << QVariant(300);
        QTest::newRow("tile too small") << QStringLiteral("memory/vaeTileSize") << QVariant(128);
        QTest::newRow("tile text") << QStringLiteral("memory/vaeTileSize") << QVariant(QStringLiteral("big"));
        QTest::newRow("noise") << QStringLiteral("images/noiseSource") << QVariant(QStringLiteral("dice"));
        QTest::newRow("output blank") << QStringLiteral("images/outputFolder") << QVariant(QStringLiteral("   "));
        QTest::newRow("language") << QStringLiteral("interface/language") << QVariant(QStringLiteral("tlh"));
        QTest::newRow("preview") << QStringLiteral("interface/previewEnabled") << QVariant(QStringLiteral("maybe"));
        QTest::newRow("first run") << QStringLiteral("app/firstRunDone") << QVariant(QStringLiteral("yes"));
    }

    void corruptValuesReadAsDefaults() {
        QFETCH(QString, key);
        QFETCH(QVariant, stored);
        {
            QSettings raw(iniPath(), QSettings::IniFormat);
            raw.setValue(key, stored);
        }
        AppSettings settings(iniPath());
        QCOMPARE(settings.preferences(), Preferences::defaults());
        QCOMPARE(settings.firstRunDone(), false);
    }

    void malformedFileReadsAsDefaults() {
        QFile file(iniPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[device\ndevice==\x01\x02\nprecision\n[memory]\nvramBudgetGiB=NaN\nvaeTileSize=1e9\n");
        file.close();
        AppSettings settings(iniPath());
        QCOMPARE(settings.preferences(), Preferences::defaults());
    }

    void memoryOptionsMapping() {
        AppSettings settings(iniPath());
        MemoryOptions automatic = settings.memoryOptions();
        QVERIFY(!automatic.vramBudgetGiB.has_value()); // 0 = automatic = unset (memory_plan.h)
        QCOMPARE(automatic.vaeTiling, TilingChoice::Auto);
        QCOMPARE(automatic.vaeTileSize, 0);

        settings.setPreferences(changedPreferences());
        const MemoryOptions chosen = settings.memoryOptions();
        QVERIFY(chosen.vramBudgetGiB.has_value());
        QCOMPARE(*chosen.vramBudgetGiB, 7.5);
        QCOMPARE(chosen.vaeTiling, TilingChoice::On);
        QCOMPARE(chosen.vaeTileSize, 512);
        QVERIFY(chosen.validate().empty());

        // validate() rejects a tile size with tiling off: the size is kept in the file but not passed on.
        settings.setVaeTiling(TilingChoice::Off);
        const MemoryOptions off = settings.memoryOptions();
        QCOMPARE(off.vaeTileSize, 0);
        QVERIFY(off.validate().empty());
        QCOMPARE(settings.vaeTileSize(), 512);
    }

    void engineOptionsMapping() {
        AppSettings settings(iniPath());
        settings.setPreferences(changedPreferences());
        const EngineOptions options = settings.engineOptions();
        QCOMPARE(options.device, DeviceChoice::Cuda);
        QCOMPARE(options.precision, Precision::Fp16);
        QCOMPARE(options.memory.vramBudgetGiB.value_or(0.0), 7.5);
        QCOMPARE(options.memory.vaeTiling, TilingChoice::On);
        QCOMPARE(options.memory.vaeTileSize, 512);
        QCOMPARE(options.cudaDevice, 0);
    }

    void changesNameWhatToRedo_data() {
        QTest::addColumn<int>("field");
        QTest::addColumn<int>("expected");
        // Which change needs what (app_settings.h, SettingsChange): model/device/precision reload the model, memory
        // options apply to the next job, and so on.
        const auto row = [](const char* name, int field, SettingsChange change) {
            QTest::newRow(name) << field << static_cast<int>(change);
        };
        row("model folder", 0, SettingsChange::ModelReload);
        row("device", 1, SettingsChange::ModelReload);
        row("precision", 2, SettingsChange::ModelReload);
        row("budget", 3, SettingsChange::MemoryOptions);
        row("tiling", 4, SettingsChange::MemoryOptions);
        row("tile size", 5, SettingsChange::MemoryOptions);
        row("noise", 6, SettingsChange::NoiseSource);
        row("output", 7, SettingsChange::OutputFolder);
        row("language", 8, SettingsChange::Language);
        row("preview", 9, SettingsChange::Preview);
    }

    void changesNameWhatToRedo() {
        QFETCH(int, field);
        QFETCH(int, expected);
        const Preferences before = Preferences::defaults();
        const Preferences changed = changedPreferences();
        Preferences after = before;
        switch (field) {
        case 0:
            after.modelFolder = changed.modelFolder;
            break;
        case 1:
            after.device = changed.device;
            break;
        case 2:
            after.precision = changed.precision;
            break;
        case 3:
            after.vramBudgetGiB = changed.vramBudgetGiB;
            break;
        case 4:
            after.vaeTiling = changed.vaeTiling;
            break;
        case 5:
            after.vaeTileSize = changed.vaeTileSize;
            break;
        case 6:
            after.noiseSource = changed.noiseSource;
            break;
        case 7:
            after.outputFolder = changed.outputFolder;
            break;
        case 8:
            after.language = changed.language;
            break;
        default:
            after.previewEnabled = changed.previewEnabled;
            break;
        }
        QCOMPARE(static_cast<int>(changesBetween(before, after)), expected);
        QCOMPARE(static_cast<int>(changesBetween(before, before)), 0);
    }

    void unwritableFileIsReported() {
        // A settings file below a regular file cannot be created, whoever runs the test (root included).
        const QString blocker = m_dir.filePath(QStringLiteral("blocker"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        AppSettings settings(blocker + QStringLiteral("/sub/settings.ini"));
        settings.setLanguage(QStringLiteral("en"));
        QString error;
        QVERIFY(!settings.sync(&error));
        QVERIFY2(error.contains(QStringLiteral("settings.ini")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestAppSettings)
#include "test_app_settings.moc"
