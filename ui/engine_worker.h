#pragma once
// The bridge between the GUI and the engine (DESIGN.md, "Bridge"). An EngineWorker lives on a thread of its own and
// owns the zimage::Engine, which is created, used and destroyed only on that thread. The GUI invokes its slots
// queued (connect() from a GUI object's signal, or QMetaObject::invokeMethod with Qt::QueuedConnection) and hears back
// through its signals, which reach GUI objects queued; it never waits on the engine. cancel() and
// setPreviewOptions() are the members meant to be called from another thread. An error is reported by a signal and
// never ends the worker: the next request runs.
//
// Only the public zimage/*.h are included here and in the .cpp: LibTorch headers define `slots`, which the Qt side
// must never see (QT_NO_KEYWORDS).

#include "engine_metatypes.h"
#include "job_result.h"
#include "latent_preview.h"

#include <zimage/engine.h>

#include <QImage>
#include <QObject>
#include <QString>

#include <memory>
#include <mutex>
#include <set>

class QThread;

namespace zimage::ui {

// The live preview (latent_preview.h) of the running job's steps.
struct PreviewOptions {
    bool enabled = false; // off: the latents are never copied
    int intervalMs = 250; // at most one preview per interval; 0: every step
    int maxSide = 512;    // the preview's longer side at most, in pixels
};

class EngineWorker : public QObject {
    Q_OBJECT

public:
    // The job id of the model load's stageChanged (Stage::Loading); jobs use other ids.
    static constexpr quint64 kLoadingJobId = 0;

    // Moves to a thread of its own and starts it. Deleting the worker cancels the running job and joins the thread
    // (after the model load in progress, if any: a load cannot be cancelled).
    EngineWorker();
    // Moves to `thread`, which its owner starts. The owner quits and waits for the thread before deleting the worker,
    // or deletes the worker with deleteLater() while the thread runs. The engine is released when the thread finishes.
    explicit EngineWorker(QThread* thread);
    ~EngineWorker() override;

    // Any thread, called directly (a queued call would wait behind the job). Cancels the job running now, if any; the
    // engine stops at its next check (between steps and stages) and the job ends with jobCancelled.
    void cancel();
    // Any thread. Cancels job `jobId`: now when it is running, else when it comes to run (it then ends with
    // jobCancelled without jobStarted). Job ids increase from 1: an id not above the latest job begun is ignored.
    void cancel(quint64 jobId);

    // Any thread; takes effect at the next step.
    void setPreviewOptions(const PreviewOptions& options);
    PreviewOptions previewOptions() const;

public Q_SLOTS:
    // The slots run on the worker's thread (invoke them queued).

    // Finds the model in `folder` (empty: the default search paths, as locateModel does) and opens it; then
    // modelReady or modelFailed. A model already open is released first.
    void openModel(const QString& folder, const zimage::EngineOptions& options);
    void openModelSource(const zimage::ModelSource& source, const zimage::EngineOptions& options);
    // jobStarted, stageChanged and stepProgress as it runs, then one of jobFinished, jobFailed, jobCancelled.
    void generate(const zimage::GenerationRequest& request, quint64 jobId);
    // Applies to the open model from its next job (a model opened later uses its openModel's options.memory); then
    // memoryOptionsChanged. Invalid options: memoryOptionsRejected with every problem, and the old ones stay.
    void setMemoryOptions(const zimage::MemoryOptions& options);

Q_SIGNALS:
    // `location`: the folder asked for, or the model source's root.
    void modelLoading(const QString& location);
    void modelReady(const QString& name, const QString& device, const QString& precision);
    // A missing or incomplete model folder, an unusable device, too little memory: what happened and what to do.
    void modelFailed(const QString& title, const QString& message, const QString& hint);
    void memoryOptionsChanged(const zimage::MemoryOptions& options);
    void memoryOptionsRejected(const QString& message);

    void jobStarted(quint64 jobId);
    // Where the weights will be and whether the decode is tiled, before the job's first stage.
    void jobPlanned(quint64 jobId, const zimage::MemoryPlan& plan);
    // Each stage as it begins, with the memory figures then; the model load reports Stage::Loading as kLoadingJobId.
    void stageChanged(quint64 jobId, zimage::Stage stage, const QString& stageName, const zimage::MemoryStats& memory);
    // After each denoising step (1-based). `remainingMs`: the steps left at the mean step time so far, plus the
    // decode at the last job's decode time per pixel (0 before the first job). `preview`: null unless previews are on
    // and this step is due one (PreviewOptions).
    void stepProgress(quint64 jobId, int step, int steps, double elapsedMs, double remainingMs, const QImage& preview);
    void jobFinished(quint64 jobId, const zimage::ui::JobResult& result);
    // `message` lists every problem (an invalid request: each a sentence that says what to change).
    void jobFailed(quint64 jobId, zimage::ErrorCode code, const QString& message, const QString& hint);
    void jobCancelled(quint64 jobId);

private:
    class JobObserver;

    // Marks `jobId` as running; false when it was cancelled before it ran.
    bool beginJob(quint64 jobId);
    void endJob();
    void runJob(const GenerationRequest& request, quint64 jobId);
    void open(const ModelSource* source, const QString& folder, const EngineOptions& options);
    void releaseEngine();
    // Fits the preview's latent-to-RGB projection to what this model's VAE made of the finished job's latents
    // (latent_preview.h), so the previews of the next jobs show this model's colours.
    void learnPreviewProjection(const std::vector<float>& latents, const std::vector<std::int64_t>& shape,
                                const GenerationResult& result);

    std::unique_ptr<QThread> m_ownThread; // when the worker made its own thread
    std::unique_ptr<Engine> m_engine;     // touched on the worker's thread only
    double m_decodeMsPerPixel = 0.0;      // the last job's VAE decode time per image pixel, for the estimates
    LatentProjection m_projection = LatentProjection::fixture(); // touched on the worker's thread only
    bool m_projectionLearned = false;                            // m_projection was fitted to this model's decodes

    mutable std::mutex m_mutex; // guards what other threads touch: the cancel state and the preview options
    CancelToken m_cancel;
    bool m_running = false;
    quint64 m_latestJob = 0; // the latest job begun; running while m_running
    std::set<quint64> m_cancelledQueued;
    PreviewOptions m_previewOptions;
};

} // namespace zimage::ui
