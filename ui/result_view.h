#pragma once
// The right side of the Create tab: the image as it forms (live preview), the job's progress (stage, step i/N, elapsed
// and estimated time), then the result large with its seed and parameters, copy to the clipboard and Save As. Errors
// and warnings appear inline above the image, with what to do.

#include "job_result.h"

#include <QElapsedTimer>
#include <QImage>
#include <QStringList>
#include <QWidget>

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QFrame;
class QTimer;

namespace zimage::ui {

class ImageCanvas;

class ResultView : public QWidget {
    Q_OBJECT

public:
    enum class Severity { Error, Warning, Info };

    explicit ResultView(QWidget* parent = nullptr);

    // A job begins: progress shown, the last result stays until the first preview replaces it.
    void beginJob(int steps, int imageCount);
    void setStage(const QString& text);
    void setStep(int step, int steps, double elapsedMs, double remainingMs, const QImage& preview);
    // The finished job; `savedPaths` are its files (fewer than its images when saving failed).
    void showResult(const JobResult& job, const QStringList& savedPaths, const QString& modelName);
    void showCancelled();
    // Ends the progress display without a result (the job failed; the message says why).
    void endJob();

    void showMessage(Severity severity, const QString& title, const QString& message, const QString& hint = {});
    void clearMessage();

    bool hasResult() const { return !m_job.images.isEmpty(); }
    QImage currentImage() const;
    // The A1111-style parameters text of the image shown.
    QString currentParameters() const;
    int currentIndex() const { return m_current; }
    void setCurrentIndex(int index);

Q_SIGNALS:
    void statusMessage(const QString& text);

private:
    void copyImage();
    void copyParameters();
    void saveAs();
    void updateElapsed();
    void updateInfo();
    void setActionsEnabled(bool enabled);

    ImageCanvas* m_canvas;
    QListWidget* m_batchStrip;
    QWidget* m_progressRow;
    QLabel* m_stageLabel;
    QProgressBar* m_progress;
    QLabel* m_timeLabel;
    QFrame* m_messageFrame;
    QLabel* m_messageTitle;
    QLabel* m_messageText;
    QLabel* m_infoLabel;
    QPushButton* m_copyImageButton;
    QPushButton* m_copyParametersButton;
    QPushButton* m_saveAsButton;
    QTimer* m_elapsedTimer;

    JobResult m_job;
    QStringList m_savedPaths;
    QString m_modelName;
    int m_current = 0;
    bool m_running = false;
    QElapsedTimer m_clock;
    double m_remainingMs = 0.0;
    double m_remainingAtMs = 0.0; // m_clock's reading when m_remainingMs was given
};

} // namespace zimage::ui
