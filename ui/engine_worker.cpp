#include "engine_worker.h"

#include <QFile>
#include <QStringList>
#include <QThread>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>

namespace zimage::ui {
namespace {

QString fromStd(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString joined(const std::vector<std::string>& lines) {
    QStringList list;
    for (const auto& line : lines)
        list.append(QString::fromStdString(line));
    return list.join(QLatin1Char('\n'));
}

double pixelsOf(const GenerationRequest& request) {
    return static_cast<double>(request.width) * request.height * static_cast<double>(request.prompts.size());
}

} // namespace

// Forwards the engine's reports as the worker's signals (queued to the GUI) and makes the step previews.
class EngineWorker::JobObserver : public Observer {
public:
    JobObserver(EngineWorker& worker, quint64 jobId, double decodeEstimateMs)
        : m_worker(worker)
        , m_jobId(jobId)
        , m_decodeEstimateMs(decodeEstimateMs) {}

    void onStage(Stage stage, const MemoryStats& memory) override {
        Q_EMIT m_worker.stageChanged(m_jobId, stage, fromStd(stageName(stage)), memory);
    }

    void onStep(const StepProgress& progress) override {
        m_stepMsTotal += progress.stepMs;
        const double meanStepMs = m_stepMsTotal / std::max(progress.step, 1);
        const double remainingMs = meanStepMs * std::max(progress.steps - progress.step, 0) + m_decodeEstimateMs;
        Q_EMIT m_worker.stepProgress(m_jobId, progress.step, progress.steps, progress.elapsedMs, remainingMs,
                                     preview(progress));
    }

    // The last step's latents (what the VAE decodes), kept when previews are on, to refit the preview's projection.
    std::vector<float> finalLatents;
    std::vector<std::int64_t> finalShape;

private:
    QImage preview(const StepProgress& progress) {
        const auto options = m_worker.previewOptions();
        if (!options.enabled || !progress.latents)
            return {};
        const bool last = progress.step == progress.steps;
        const bool due = m_throttle.due(progress.elapsedMs, options.intervalMs);
        if (!due && !last)
            return {};
        auto latents = progress.latents->copyLatents();
        const auto shape = progress.latents->shape();
        if (last) {
            finalLatents = latents;
            finalShape = shape;
        }
        if (!due)
            return {};
        auto image = renderLatentPreview(latents, shape, m_worker.m_projection, options.maxSide);
        if (image.isNull())
            spdlog::debug("no preview for latents of {} dimensions", shape.size());
        return image;
    }

    EngineWorker& m_worker;
    quint64 m_jobId;
    double m_decodeEstimateMs;
    double m_stepMsTotal = 0.0;
    PreviewThrottle m_throttle;
};

EngineWorker::EngineWorker()
    : m_ownThread(std::make_unique<QThread>()) {
    registerEngineMetaTypes();
    m_ownThread->setObjectName(QStringLiteral("engine"));
    moveToThread(m_ownThread.get());
    connect(m_ownThread.get(), &QThread::finished, this, &EngineWorker::releaseEngine, Qt::DirectConnection);
    m_ownThread->start();
}

EngineWorker::EngineWorker(QThread* thread) {
    registerEngineMetaTypes();
    moveToThread(thread);
    // finished is emitted on the thread itself: the engine is destroyed where it lived.
    connect(thread, &QThread::finished, this, &EngineWorker::releaseEngine, Qt::DirectConnection);
}

EngineWorker::~EngineWorker() {
    cancel();
    if (m_ownThread) {
        m_ownThread->quit();
        m_ownThread->wait();
    }
    releaseEngine();
}

void EngineWorker::cancel() {
    const std::lock_guard lock(m_mutex);
    if (m_running)
        m_cancel.cancel();
}

void EngineWorker::cancel(quint64 jobId) {
    const std::lock_guard lock(m_mutex);
    if (m_running && m_latestJob == jobId)
        m_cancel.cancel();
    else if (jobId > m_latestJob)
        m_cancelledQueued.insert(jobId);
}

void EngineWorker::setPreviewOptions(const PreviewOptions& options) {
    const std::lock_guard lock(m_mutex);
    m_previewOptions = options;
}

PreviewOptions EngineWorker::previewOptions() const {
    const std::lock_guard lock(m_mutex);
    return m_previewOptions;
}

void EngineWorker::openModel(const QString& folder, const EngineOptions& options) {
    open(nullptr, folder, options);
}

void EngineWorker::openModelSource(const ModelSource& source, const EngineOptions& options) {
    open(&source, QString::fromStdString(source.root.string()), options);
}

void EngineWorker::open(const ModelSource* source, const QString& folder, const EngineOptions& options) {
    Q_ASSERT(QThread::currentThread() == thread());
    // Two models rarely fit at once: the old one goes first.
    releaseEngine();
    // Another model may have another VAE: its previews start again from the built-in factors.
    m_projection = LatentProjection::fixture();
    m_projectionLearned = false;
    Q_EMIT modelLoading(folder);
    JobObserver observer(*this, kLoadingJobId, 0.0);
    try {
        const auto located = source ? *source : locateModel(QFile::encodeName(folder).toStdString());
        m_engine = Engine::open(located, options, &observer);
        Q_EMIT modelReady(QString::fromStdString(m_engine->modelName()), QString::fromStdString(m_engine->deviceName()),
                          fromStd(precisionName(m_engine->precision())));
    } catch (const EngineError& error) {
        spdlog::warn("opening the model failed: {}", error.what());
        QString title;
        switch (error.code()) {
        case ErrorCode::ModelFiles:
            title = tr("The model was not found or is incomplete");
            break;
        case ErrorCode::Device:
            title = tr("The device is not available");
            break;
        case ErrorCode::OutOfMemory:
            title = tr("Not enough memory to load the model");
            break;
        default:
            title = tr("The model could not be opened");
            break;
        }
        Q_EMIT modelFailed(title, QString::fromUtf8(error.what()), QString::fromStdString(error.hint()));
    } catch (const std::exception& error) {
        spdlog::error("opening the model failed: {}", error.what());
        Q_EMIT modelFailed(tr("The model could not be opened"), QString::fromUtf8(error.what()),
                           tr("This is a bug: please report it with the log file."));
    }
}

void EngineWorker::generate(const GenerationRequest& request, quint64 jobId) {
    Q_ASSERT(QThread::currentThread() == thread());
    if (!beginJob(jobId)) {
        Q_EMIT jobCancelled(jobId);
        return;
    }
    Q_EMIT jobStarted(jobId);
    runJob(request, jobId);
    endJob();
}

void EngineWorker::runJob(const GenerationRequest& request, quint64 jobId) {
    if (!m_engine) {
        Q_EMIT jobFailed(jobId, ErrorCode::ModelFiles, tr("No model is open."),
                         tr("Choose the model's folder in the settings, or wait until it has loaded."));
        return;
    }
    if (const auto problems = request.validate(); !problems.empty()) {
        Q_EMIT jobFailed(jobId, ErrorCode::InvalidInput, joined(problems), {});
        return;
    }
    JobObserver observer(*this, jobId, m_decodeMsPerPixel * pixelsOf(request));
    try {
        // The plan of this job, for the status bar while it runs (generate() plans again from the same figures).
        Q_EMIT jobPlanned(jobId, m_engine->planFor(request));
        auto result = m_engine->generate(request, observer, m_cancel);
        m_decodeMsPerPixel = result.timings.vaeDecodeMs / pixelsOf(request);
        learnPreviewProjection(observer.finalLatents, observer.finalShape, result);
        Q_EMIT jobFinished(jobId, JobResult::fromGenerationResult(std::move(result)));
    } catch (const EngineError& error) {
        if (error.code() == ErrorCode::Cancelled) {
            Q_EMIT jobCancelled(jobId);
            return;
        }
        spdlog::warn("job {} failed: {}", jobId, error.what());
        Q_EMIT jobFailed(jobId, error.code(), QString::fromUtf8(error.what()), QString::fromStdString(error.hint()));
    } catch (const std::exception& error) {
        // Not from the engine (it lets only EngineError out): the Qt side, e.g. no memory for the images.
        spdlog::error("job {} failed: {}", jobId, error.what());
        Q_EMIT jobFailed(jobId, ErrorCode::Internal, QString::fromUtf8(error.what()),
                         tr("This is a bug: please report it with the log file."));
    }
}

void EngineWorker::learnPreviewProjection(const std::vector<float>& latents, const std::vector<std::int64_t>& shape,
                                          const GenerationResult& result) {
    if (shape.size() != 4 || shape[1] != kLatentChannels || latents.empty())
        return;
    const auto batch = static_cast<std::size_t>(shape[0]);
    const int height = static_cast<int>(shape[2]);
    const int width = static_cast<int>(shape[3]);
    const auto latentSize = static_cast<std::size_t>(kLatentChannels) * static_cast<std::size_t>(height * width);
    const auto imageSize = std::size_t{3} * static_cast<std::size_t>(kLatentScale * height * kLatentScale * width);
    std::vector<LatentFitSample> samples;
    for (std::size_t b = 0; b < std::min(batch, result.images.size()); ++b) {
        const auto& pixels = result.images[b].pixels;
        if (pixels.size() != imageSize || latents.size() < (b + 1) * latentSize)
            return;
        samples.push_back({std::span(latents).subspan(b * latentSize, latentSize), pixels, height, width});
    }
    LatentProjection fitted;
    try {
        fitted = fitLatentProjection(samples);
    } catch (const std::invalid_argument& error) {
        spdlog::debug("preview projection not refitted: {}", error.what());
        return;
    }
    // The first fit replaces the built-in factors (made for another VAE); later ones are averaged in, so one unusual
    // image (a single colour, say) does not decide the colours of every later preview.
    if (m_projectionLearned) {
        for (int k = 0; k < kLatentChannels; ++k)
            for (int c = 0; c < 3; ++c)
                fitted.weights[k][c] = 0.5f * (fitted.weights[k][c] + m_projection.weights[k][c]);
        for (int c = 0; c < 3; ++c)
            fitted.bias[c] = 0.5f * (fitted.bias[c] + m_projection.bias[c]);
    }
    m_projection = fitted;
    m_projectionLearned = true;
}

void EngineWorker::setMemoryOptions(const MemoryOptions& options) {
    Q_ASSERT(QThread::currentThread() == thread());
    if (const auto problems = options.validate(); !problems.empty()) {
        Q_EMIT memoryOptionsRejected(joined(problems));
        return;
    }
    if (m_engine) {
        try {
            m_engine->setMemoryOptions(options);
        } catch (const EngineError& error) {
            Q_EMIT memoryOptionsRejected(QString::fromUtf8(error.what()));
            return;
        }
    }
    Q_EMIT memoryOptionsChanged(options);
}

bool EngineWorker::beginJob(quint64 jobId) {
    const std::lock_guard lock(m_mutex);
    // Ids are increasing: a cancel for an id below this one is for a job that never came.
    m_cancelledQueued.erase(m_cancelledQueued.begin(), m_cancelledQueued.lower_bound(jobId));
    m_latestJob = std::max(m_latestJob, jobId);
    if (m_cancelledQueued.erase(jobId) > 0)
        return false;
    m_cancel.reset();
    m_running = true;
    return true;
}

void EngineWorker::endJob() {
    const std::lock_guard lock(m_mutex);
    m_running = false;
    m_cancel.reset();
}

void EngineWorker::releaseEngine() {
    m_engine.reset();
}

} // namespace zimage::ui
