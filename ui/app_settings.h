#pragma once
// The application's settings, persisted with QSettings: a typed wrapper with a getter and a setter per key. Enums are
// stored by their engine names ("cpu", "bf16", "auto"), as the CLI spells them, so the file stays readable and
// survives a reordering of the enums. A value that is missing, of the wrong type or out of range reads as its default.

#include <zimage/engine.h>

#include <QByteArray>
#include <QFlags>
#include <QString>
#include <QStringList>

#include <memory>

class QSettings;

namespace zimage::ui {

// What the settings dialog edits, with the defaults of a fresh installation.
struct Preferences {
    QString modelFolder; // empty: auto-detect (zimage::defaultModelSearchPaths)
    DeviceChoice device = DeviceChoice::Auto;
    Precision precision = Precision::Auto;
    double vramBudgetGiB = 0.0; // 0: automatic (the device's free memory minus a margin)
    TilingChoice vaeTiling = TilingChoice::Auto;
    int vaeTileSize = 0; // image pixels; 0: picked from the budget
    NoiseSource noiseSource = NoiseSource::Cpu;
    QString outputFolder; // defaults(): Pictures/Z-Image Studio
    QString language;     // "": follow the system; else one of AppSettings::languages()
    bool previewEnabled = true;

    // The defaults, the output folder included.
    static Preferences defaults();

    bool operator==(const Preferences&) const = default;
};

// What a change of preferences means for the running application.
enum class SettingsChange {
    None = 0,
    ModelReload = 0x1,   // model folder, device or precision: reopen the model
    MemoryOptions = 0x2, // VRAM budget or VAE tiling: EngineWorker::setMemoryOptions, applies to the next job
    NoiseSource = 0x4,   // the next request's noise source
    OutputFolder = 0x8,  // where images are saved and what the gallery shows
    Language = 0x10,     // applies after a restart
    Preview = 0x20,      // EngineWorker::setPreviewOptions
};
Q_DECLARE_FLAGS(SettingsChanges, SettingsChange)
Q_DECLARE_OPERATORS_FOR_FLAGS(SettingsChanges)

SettingsChanges changesBetween(const Preferences& before, const Preferences& after);

class AppSettings {
public:
    // The user's settings (organization and application "zimage-studio", the platform's usual place).
    AppSettings();
    // An INI file of its own (tests, a portable installation).
    explicit AppSettings(const QString& iniFile);
    ~AppSettings();
    AppSettings(const AppSettings&) = delete;
    AppSettings& operator=(const AppSettings&) = delete;

    // The codes of the languages the application is translated into (availableLanguages(): "en", "zh_CN"); "" (follow
    // the system) is also accepted.
    static QStringList languages();
    static QString defaultOutputFolder();

    QString modelFolder() const;
    void setModelFolder(const QString& folder);
    DeviceChoice device() const;
    void setDevice(DeviceChoice device);
    Precision precision() const;
    void setPrecision(Precision precision);
    double vramBudgetGiB() const;
    void setVramBudgetGiB(double gib);
    TilingChoice vaeTiling() const;
    void setVaeTiling(TilingChoice tiling);
    int vaeTileSize() const;
    void setVaeTileSize(int pixels);
    NoiseSource noiseSource() const;
    void setNoiseSource(NoiseSource source);
    QString outputFolder() const;
    void setOutputFolder(const QString& folder);
    QString language() const;
    void setLanguage(const QString& language);
    bool previewEnabled() const;
    void setPreviewEnabled(bool enabled);
    bool firstRunDone() const;
    void setFirstRunDone(bool done);
    QByteArray windowGeometry() const; // QWidget::saveGeometry
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const; // QMainWindow::saveState
    void setWindowState(const QByteArray& state);

    Preferences preferences() const;
    void setPreferences(const Preferences& preferences);

    // For the engine: the memory options are valid (MemoryOptions::validate() finds nothing) whatever the file held.
    MemoryOptions memoryOptions() const;
    EngineOptions engineOptions() const;

    // Writes pending changes to disk. False with a sentence in `error` when the file cannot be written.
    bool sync(QString* error = nullptr);
    QString fileName() const;

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace zimage::ui
