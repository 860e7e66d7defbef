#pragma once
// The application window (DESIGN.md, "UI"): the Create tab (the form on the left, the result on the right, or the
// first-run page while no model is found), the Gallery and History tabs, and the status bar with the model and the
// live memory readout. It owns the EngineWorker (the engine on its own thread) and the history, and ties the pieces
// together: a finished job's images are written to the output folder and recorded in the history before the result is
// reported as saved.

#include "app_settings.h"
#include "engine_metatypes.h"
#include "history_entry.h"
#include "job_result.h"
#include "startup_options.h"

#include <QMainWindow>
#include <QPointer>
#include <QString>

#include <memory>
#include <optional>

class QLabel;
class QProgressBar;
class QStackedWidget;
class QTabWidget;

namespace zimage::output {
struct ImportedParameters;
}

namespace zimage::ui {

class EngineWorker;
class FirstRunPage;
class GalleryPanel;
class GenerationForm;
class HistoryPanel;
class HistoryStore;
class MemoryMonitor;
class MemoryStatusWidget;
class ResultView;
class ThumbnailCache;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    MainWindow(AppSettings& settings, const StartupOptions& startup, QWidget* parent = nullptr);
    ~MainWindow() override;

    // The data folder: $XDG_DATA_HOME/zimage-studio (the history database, the engine's generation log).
    static QString dataFolder();

    // The command line's --model and --output for this session, else the settings' (the command line never changes
    // the settings).
    QString modelFolder() const;
    QString outputFolder() const;

    bool isModelReady() const { return m_modelReady; }
    bool isBusy() const { return m_runningJob != 0; }
    QString modelName() const { return m_modelName; }

    // Restores the parameters an image carries into the form (a dropped or opened PNG). Reads the file off the GUI
    // thread; the form changes when it is read.
    void restoreParametersFrom(const QString& imagePath);
    // Runs `request` as the form would (the device and precision of the open model).
    void generateRequest(GenerationRequest request);

    GenerationForm* form() const { return m_form; }
    ResultView* resultView() const { return m_resultView; }
    HistoryStore* historyStore() const { return m_history.get(); }
    QTabWidget* tabs() const { return m_tabs; }
    EngineWorker* worker() const { return m_worker; }

Q_SIGNALS:
    // After a finished job's images were saved and recorded (or saving failed: `savedPaths` is shorter).
    void jobSaved(const QStringList& savedPaths);
    // The parameters of a dropped or opened image are in the form (or could not be read: `ok` false).
    void parametersRestored(bool ok);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildCreateTab();
    void buildMenus();
    void buildStatusBar();
    void connectWorker();
    void openModel();
    void showFirstRun(const QString& problem);
    void startFromForm();
    void cancelJob();
    void onJobFinished(quint64 jobId, const JobResult& job);
    void onJobFailed(quint64 jobId, ErrorCode code, const QString& message, const QString& hint);
    void onJobCancelled(quint64 jobId);
    void recordSaved(const JobResult& job, const QStringList& paths, const QString& error);
    void reproduce(const HistoryEntry& entry);
    void regenerate(const HistoryEntry& entry);
    void applyImported(const output::ImportedParameters& imported, const QString& fileName);
    void openImageDialog();
    void openSettings();
    void applySettingsChanges(SettingsChanges changes);
    void showAbout();
    void setJobRunning(quint64 jobId);
    void updateModelLabel(const QString& text);

    AppSettings& m_settings;
    StartupOptions m_startup;
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<ThumbnailCache> m_thumbnails; // shared by the gallery and the history
    EngineWorker* m_worker = nullptr;             // deleted with deleteLater() on its own thread (engine_worker.h)

    QTabWidget* m_tabs = nullptr;
    QStackedWidget* m_createStack = nullptr;
    QWidget* m_createPage = nullptr;
    FirstRunPage* m_firstRun = nullptr;
    GenerationForm* m_form = nullptr;
    ResultView* m_resultView = nullptr;
    GalleryPanel* m_gallery = nullptr;
    HistoryPanel* m_historyPanel = nullptr;
    MemoryMonitor* m_memoryMonitor = nullptr;
    MemoryStatusWidget* m_memoryStatus = nullptr;
    QLabel* m_modelLabel = nullptr;
    QProgressBar* m_loadingBar = nullptr;

    bool m_modelReady = false;
    QString m_modelName;
    Precision m_modelPrecision = Precision::Auto;
    DeviceChoice m_modelDevice = DeviceChoice::Auto;
    quint64 m_nextJobId = 1;
    quint64 m_runningJob = 0;
    std::optional<HistoryEntry> m_regenerating; // the history entry a running "regenerate" reproduces
};

} // namespace zimage::ui
