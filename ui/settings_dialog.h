#pragma once
// The settings: model location (with detection and a live check of the folder), device and memory, images (noise
// source, output folder), language and the live preview. Reads AppSettings when it opens and writes them on OK only.
// The checks of the model and output folders touch the file system, so they run on Qt's thread pool; each reports
// inline under its field and by a signal (tests wait on those instead of sleeping).

#include "app_settings.h"
#include "model_discovery.h"

#include <QDialog>
#include <QString>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QTabWidget;
class QTimer;

namespace zimage::ui {

struct OutputFolderCheck {
    bool usable = false; // exists and is writable, or can be created
    QString message;     // a sentence for the dialog (translated)
};

// Blocking file-system work: tries to create a temporary file in `folder`, or finds the nearest existing parent when
// the folder does not exist yet (the image writer creates it).
OutputFolderCheck checkOutputFolder(const QString& folder);

class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    static constexpr int kCheckDelayMs = 300; // typing pauses this long before a folder is checked

    explicit SettingsDialog(AppSettings& settings, QWidget* parent = nullptr);
    ~SettingsDialog() override;

    // The values the controls show now.
    Preferences preferences() const;
    void setPreferences(const Preferences& preferences);
    // What OK changed (valid after accept(); None before or when nothing changed).
    SettingsChanges changes() const { return m_changes; }

public Q_SLOTS:
    // Shows the defaults; nothing is written before OK.
    void restoreDefaults();
    // Runs the model search; the candidates appear in the list (a click takes one).
    void detectModels();
    // Writes the settings and closes; stays open with the problem shown when they cannot be written.
    void accept() override;

Q_SIGNALS:
    // After OK, when something changed.
    void settingsChanged(zimage::ui::SettingsChanges changes);
    void modelFolderChecked(bool found);
    void outputFolderChecked(bool usable);
    void modelsDetected(int count);

private:
    QWidget* buildModelTab();
    QWidget* buildDeviceTab();
    QWidget* buildImagesTab();
    QWidget* buildInterfaceTab();
    void browseModelFolder();
    void browseOutputFolder();
    void startModelCheck();
    void startOutputCheck();
    void showModelCheck(const ModelFolderCheck& check);
    void showDetection(const ModelDiscovery& discovery);
    void updateTileSizeEnabled();

    AppSettings& m_settings;
    Preferences m_loaded;
    SettingsChanges m_changes;

    QTabWidget* m_tabs = nullptr;
    QLineEdit* m_modelFolder = nullptr;
    QLabel* m_modelStatus = nullptr;
    QListWidget* m_candidates = nullptr;
    QLabel* m_detectStatus = nullptr;
    QComboBox* m_device = nullptr;
    QComboBox* m_precision = nullptr;
    QDoubleSpinBox* m_vramBudget = nullptr;
    QComboBox* m_vaeTiling = nullptr;
    QSpinBox* m_vaeTileSize = nullptr;
    QComboBox* m_noiseSource = nullptr;
    QLineEdit* m_outputFolder = nullptr;
    QLabel* m_outputStatus = nullptr;
    QComboBox* m_language = nullptr;
    QCheckBox* m_preview = nullptr;
    QLabel* m_saveProblem = nullptr;
    QDialogButtonBox* m_buttons = nullptr;

    QTimer* m_modelCheckTimer = nullptr;
    QTimer* m_outputCheckTimer = nullptr;
    // Each check's number: a result that comes back after a newer check began is dropped.
    int m_modelCheckSerial = 0;
    int m_outputCheckSerial = 0;
    int m_detectSerial = 0;
};

} // namespace zimage::ui
