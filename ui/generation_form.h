#pragma once
// The "Create" form: everything a person sets up before generating (prompt, negative prompt, seed, steps, size,
// guidance, batch count). Each problem is explained in a label next to its control, and Generate stays disabled while
// any exists or while a job runs. The form only describes a request: MainWindow answers generateRequested by calling
// takeRequest() and sending the result to the engine, and tells the form about the job with setBusy() and
// setLastSeed().
//
// Shortcuts: Ctrl+Enter / Ctrl+Return generate from anywhere in the window while the form is visible (also while
// typing in the prompt); Esc cancels while busy and while the focus is inside the form.

#include <zimage/request.h>

#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QShortcut;
class QSpinBox;
class QToolButton;

namespace zimage::ui {

class GenerationForm : public QWidget {
    Q_OBJECT

public:
    enum class SeedMode {
        Random, // every takeRequest() draws a new seed and shows it in the field
        Locked, // the field's value is used as it is
    };

    explicit GenerationForm(QWidget* parent = nullptr);

    // What the form shows now: the prompt repeated batch-count times, the seed as shown (0 while the field holds none;
    // random mode does not draw here), sides rounded to multiples of 16 as the size note announces, and the fields
    // the form has no control for from the last setRequest() (else defaults with the default noise source).
    zimage::GenerationRequest request() const;
    // For Generate: rounds pending sizes to multiples of 16 in the fields, in random mode draws a new seed and shows
    // it, then returns request().
    zimage::GenerationRequest takeRequest();
    // Restores a request (history "reproduce", a dropped PNG): every field, the seed locked, the batch count from the
    // number of prompts (the first prompt shown). The fields without a control (noise source, CFG normalization and
    // truncation, maximum sequence length, sigmas, device, precision) are kept and returned by request() until the
    // next setRequest() or resetExtras().
    void setRequest(const zimage::GenerationRequest& request);
    // Forgets the fields kept by setRequest(): request() uses defaults and the default noise source again.
    void resetExtras();
    bool hasRestoredExtras() const { return m_restored.has_value(); }

    // From the settings; used by request() unless a restored request set a noise source.
    void setDefaultNoiseSource(zimage::NoiseSource source);
    // The seed of the last generation; enables "reuse last".
    void setLastSeed(std::uint64_t seed);
    // While a job runs: Generate disabled, Cancel and Esc enabled. The fields stay editable for the next job.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    // Whether the engine has a model loaded: until it has, Generate stays disabled and a note says why. True at
    // construction, for a form used without an engine.
    void setModelReady(bool ready);
    bool isModelReady() const { return m_modelReady; }

    SeedMode seedMode() const;
    void setSeedMode(SeedMode mode);

    // Every current problem, one sentence each (empty = valid): the form's own, translated, then what
    // GenerationRequest::validate() still finds in restored fields without a control (the engine's English).
    QStringList problems() const;
    bool isValid() const { return problems().isEmpty(); }

Q_SIGNALS:
    // Generate was clicked or Ctrl+Enter pressed while the form is valid, the model ready and no job running.
    void generateRequested();
    // Cancel was clicked or Esc pressed while busy.
    void cancelRequested();
    void validityChanged(bool valid);
    // The user changed what request() returns (not emitted by setRequest() or by the seed takeRequest() draws).
    void requestEdited();

protected:
    void changeEvent(QEvent* event) override;

private:
    // The problems of each control; empty strings where there is none.
    struct Problems {
        QString prompt;
        QString seed;
        QString steps;
        QString size;
        QString guidance;
        QString batch;
        QStringList request; // GenerationRequest::validate() sentences no control explains
        QStringList all() const;
    };

    void buildPromptSection();
    void buildSeedSection();
    void buildParameterSection();
    void buildActionSection();
    void connectSignals();

    Problems collectProblems() const;
    // The seed the field holds; none when it is empty or not a valid seed (problem then says why).
    std::optional<std::uint64_t> parseSeed(QString* problem) const;
    QString sizeNote() const;
    QString batchNote() const;
    QString extrasNote() const;

    void onUserEdit();
    void onSizeEdited();
    void onPresetChosen(int comboIndex);
    void onSeedTyped(const QString& text);
    void snapSizes();
    void selectPresetForSize();
    void reuseLastSeed();
    void swapSize();
    void triggerGenerate();
    void triggerCancel();
    // Updates every note and problem label, the buttons and the accessible descriptions; emits validityChanged.
    void refresh();
    void applyNoteColors();

    QPlainTextEdit* m_promptEdit = nullptr;
    QLabel* m_promptProblem = nullptr;
    QPlainTextEdit* m_negativeEdit = nullptr;
    QLabel* m_negativeNote = nullptr;

    QLineEdit* m_seedEdit = nullptr;
    QToolButton* m_seedRandomButton = nullptr;
    QToolButton* m_seedLockedButton = nullptr;
    QToolButton* m_reuseSeedButton = nullptr;
    QLabel* m_seedProblem = nullptr;

    QSpinBox* m_stepsSpin = nullptr;
    QLabel* m_stepsProblem = nullptr;
    QComboBox* m_sizeCombo = nullptr;
    QSpinBox* m_widthSpin = nullptr;
    QSpinBox* m_heightSpin = nullptr;
    QToolButton* m_swapSizeButton = nullptr;
    QLabel* m_sizeNote = nullptr;
    QLabel* m_sizeProblem = nullptr;
    QDoubleSpinBox* m_guidanceSpin = nullptr;
    QLabel* m_guidanceHint = nullptr;
    QLabel* m_guidanceProblem = nullptr;
    QSpinBox* m_batchSpin = nullptr;
    QLabel* m_batchNote = nullptr;
    QLabel* m_batchProblem = nullptr;

    QLabel* m_extrasNote = nullptr;
    QToolButton* m_resetExtrasButton = nullptr;
    QLabel* m_requestProblem = nullptr;
    QLabel* m_modelNote = nullptr;
    QPushButton* m_generateButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QShortcut* m_cancelShortcut = nullptr;

    std::optional<zimage::GenerationRequest> m_restored; // the last setRequest(), for the fields without a control
    zimage::NoiseSource m_defaultNoise = zimage::NoiseSource::Cpu;
    std::optional<std::uint64_t> m_lastSeed;
    QStringList m_restoreAdjustments; // restored values the controls could not show as they were
    QString m_roundedNote;            // why a side just changed on editingFinished; shown until the next size edit
    bool m_busy = false;
    bool m_modelReady = true;
    bool m_valid = false;
    bool m_quiet = false;       // the form itself is changing fields: no requestEdited
    bool m_settingSize = false; // the form itself is changing the size fields or the preset
};

} // namespace zimage::ui
