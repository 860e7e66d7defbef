// The engine bridge (ui/engine_worker.h) with the real engine on the zimage-tiny fixture, on the CPU in float32, at
// 128x96 with a few steps. Requests go in as a GUI sends them (a GUI object's signals connected to the worker's slots)
// and the reports are recorded in the order they reach the test's thread. Expected values: the images are those a
// zimage::Engine of the test's own makes from the same request; the problems of an invalid request are those of
// GenerationRequest::validate(); the preview's agreement with the decoded image is a correlation measured here (see
// previewFollowsTheDecodedImage).

#include "engine_worker.h"
#include "fixture.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

using namespace zimage;
using namespace zimage::ui;

namespace {

constexpr int kTimeoutMs = 120000;

EngineOptions fixtureOptions() {
    EngineOptions options;
    options.device = DeviceChoice::Cpu;
    options.precision = Precision::Fp32;
    options.generationLog = std::filesystem::path(); // no log
    return options;
}

QString fixtureModel() {
    return QString::fromStdString((test::fixtureDir() / "model").string());
}

GenerationRequest smallRequest(std::uint64_t seed, int steps = 3) {
    GenerationRequest request;
    request.prompts = {"a lighthouse at dusk"};
    request.seed = seed;
    request.steps = steps;
    request.width = 128;
    request.height = 96;
    request.device = DeviceChoice::Cpu;
    request.precision = Precision::Fp32;
    return request;
}

// What the GUI sends, as a window would: its signals, connected to the worker's slots (queued across threads).
class Front : public QObject {
    Q_OBJECT

Q_SIGNALS:
    void openRequested(const QString& folder, const zimage::EngineOptions& options);
    void generateRequested(const zimage::GenerationRequest& request, quint64 jobId);
    void memoryOptionsRequested(const zimage::MemoryOptions& options);
};

struct Event {
    QString kind; // "started", "stage", "step", "finished", "failed", "cancelled"
    quint64 job = 0;
    QString detail; // the stage's name; the step as "step/steps"
    QImage preview;
};

// Every report of the worker, in the order it reaches the test's thread.
class Recorder : public QObject {
    Q_OBJECT

public:
    explicit Recorder(EngineWorker& worker) {
        connect(&worker, &EngineWorker::modelLoading, this, [this](const QString&) { ++loading; });
        connect(&worker, &EngineWorker::modelReady, this,
                [this](const QString& name, const QString& device, const QString& precision) {
                    ready = QStringList{name, device, precision};
                });
        connect(&worker, &EngineWorker::modelFailed, this,
                [this](const QString& title, const QString& message, const QString& hint) {
                    modelFailure = QStringList{title, message, hint};
                });
        connect(&worker, &EngineWorker::memoryOptionsChanged, this,
                [this](const zimage::MemoryOptions&) { memoryAnswer = QStringLiteral("changed"); });
        connect(&worker, &EngineWorker::memoryOptionsRejected, this,
                [this](const QString& message) { memoryAnswer = message; });
        connect(&worker, &EngineWorker::jobStarted, this, [this](quint64 job) {
            events.push_back({QStringLiteral("started"), job, {}, {}});
        });
        connect(&worker, &EngineWorker::stageChanged, this,
                [this](quint64 job, zimage::Stage, const QString& name, const zimage::MemoryStats&) {
                    events.push_back({QStringLiteral("stage"), job, name, {}});
                });
        connect(
            &worker, &EngineWorker::stepProgress, this,
            [this](quint64 job, int step, int steps, double elapsedMs, double remainingMs, const QImage& image) {
                events.push_back({QStringLiteral("step"), job, QStringLiteral("%1/%2").arg(step).arg(steps), image});
                timesValid = timesValid && elapsedMs > 0.0 && remainingMs >= 0.0;
            });
        connect(&worker, &EngineWorker::jobFinished, this, [this](quint64 job, const zimage::ui::JobResult& result) {
            events.push_back({QStringLiteral("finished"), job, {}, {}});
            results[job] = result;
        });
        connect(&worker, &EngineWorker::jobFailed, this,
                [this](quint64 job, zimage::ErrorCode code, const QString& message, const QString& hint) {
                    events.push_back({QStringLiteral("failed"), job, message, {}});
                    failures[job] = {code, hint};
                });
        connect(&worker, &EngineWorker::jobCancelled, this, [this](quint64 job) {
            events.push_back({QStringLiteral("cancelled"), job, {}, {}});
        });
    }

    bool ended(quint64 job) const {
        for (const auto& event : events)
            if (event.job == job && (event.kind == QLatin1String("finished") || event.kind == QLatin1String("failed") ||
                                     event.kind == QLatin1String("cancelled")))
                return true;
        return false;
    }

    // The events of one job, as "kind" or "kind:detail".
    QStringList trace(quint64 job) const {
        QStringList out;
        for (const auto& event : events)
            if (event.job == job)
                out << (event.detail.isEmpty() || event.kind == QLatin1String("failed")
                            ? event.kind
                            : event.kind + QLatin1Char(':') + event.detail);
        return out;
    }

    QList<QImage> previews(quint64 job) const {
        QList<QImage> out;
        for (const auto& event : events)
            if (event.job == job && event.kind == QLatin1String("step"))
                out << event.preview;
        return out;
    }

    const Event* failure(quint64 job) const {
        for (const auto& event : events)
            if (event.job == job && event.kind == QLatin1String("failed"))
                return &event;
        return nullptr;
    }

    int loading = 0;
    QStringList ready;
    QStringList modelFailure;
    QString memoryAnswer;
    std::vector<Event> events;
    std::map<quint64, JobResult> results;
    std::map<quint64, std::pair<ErrorCode, QString>> failures;
    bool timesValid = true;
};

// The events of a job that ran to the end: started, the stages, steps 1..N, finished.
QStringList completeTrace(int steps) {
    QStringList trace{QStringLiteral("started"), QStringLiteral("stage:encoding text"),
                      QStringLiteral("stage:denoising")};
    for (int step = 1; step <= steps; ++step)
        trace << QStringLiteral("step:%1/%2").arg(step).arg(steps);
    trace << QStringLiteral("stage:decoding") << QStringLiteral("stage:finished") << QStringLiteral("finished");
    return trace;
}

// Pearson correlation of one colour channel of two images of the same size, over their 8x8 block means.
double blockCorrelation(const QImage& a, const QImage& b, int channel) {
    const auto blockMean = [channel](const QImage& image, int bx, int by) {
        double sum = 0;
        for (int y = 0; y < kLatentScale; ++y)
            for (int x = 0; x < kLatentScale; ++x) {
                const QRgb pixel = image.pixel(bx * kLatentScale + x, by * kLatentScale + y);
                sum += channel == 0 ? qRed(pixel) : channel == 1 ? qGreen(pixel) : qBlue(pixel);
            }
        return sum / (kLatentScale * kLatentScale);
    };
    double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int by = 0; by < a.height() / kLatentScale; ++by)
        for (int bx = 0; bx < a.width() / kLatentScale; ++bx) {
            const double x = blockMean(a, bx, by);
            const double y = blockMean(b, bx, by);
            n += 1;
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
        }
    return (n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
}

} // namespace

class TestEngineWorker : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<EngineWorker> m_worker;
    std::unique_ptr<Recorder> m_recorder;
    std::unique_ptr<Front> m_front;

    // A worker on its own thread, its reports recorded and a Front connected to it.
    void startWorker() {
        m_worker = std::make_unique<EngineWorker>();
        m_recorder = std::make_unique<Recorder>(*m_worker);
        m_front = std::make_unique<Front>();
        connect(m_front.get(), &Front::openRequested, m_worker.get(), &EngineWorker::openModel);
        connect(m_front.get(), &Front::generateRequested, m_worker.get(), &EngineWorker::generate);
        connect(m_front.get(), &Front::memoryOptionsRequested, m_worker.get(), &EngineWorker::setMemoryOptions);
    }

    bool openFixture() {
        Q_EMIT m_front->openRequested(fixtureModel(), fixtureOptions());
        return QTest::qWaitFor([this] { return !m_recorder->ready.isEmpty() || !m_recorder->modelFailure.isEmpty(); },
                               kTimeoutMs) &&
               !m_recorder->ready.isEmpty();
    }

    bool run(const GenerationRequest& request, quint64 job) {
        Q_EMIT m_front->generateRequested(request, job);
        return QTest::qWaitFor([&] { return m_recorder->ended(job); }, kTimeoutMs);
    }

private Q_SLOTS:
    void init() { startWorker(); }

    void cleanup() {
        m_front.reset();
        m_recorder.reset();
        m_worker.reset();
    }

    void opensTheFixture() {
        QVERIFY(openFixture());
        QCOMPARE(m_recorder->loading, 1);
        QCOMPARE(m_recorder->ready,
                 (QStringList{QStringLiteral("model"), QStringLiteral("cpu"), QStringLiteral("fp32")}));
        // The load's stage.
        QCOMPARE(m_recorder->trace(EngineWorker::kLoadingJobId), QStringList{QStringLiteral("stage:loading")});
    }

    // A batch of two prompts with previews at every step: the reports come in order, and the images are the engine's.
    void generatesWhatTheEngineGenerates() {
        QVERIFY(openFixture());
        m_worker->setPreviewOptions({true, 0, 512});
        auto request = smallRequest(42, 3);
        request.prompts = {"a lighthouse at dusk", "一座雪山下的小木屋, 清晨薄雾"};
        QVERIFY(run(request, 1));
        QCOMPARE(m_recorder->trace(1), completeTrace(3));
        QVERIFY(m_recorder->timesValid);
        for (const auto& preview : m_recorder->previews(1))
            QCOMPARE(preview.size(), QSize(256, 96)); // two images side by side, at the decoded size
        QVERIFY(m_recorder->results.count(1));
        const auto& job = m_recorder->results.at(1);

        auto direct = Engine::open(locateModel(test::fixtureDir() / "model"), fixtureOptions());
        Observer quiet;
        CancelToken cancel;
        const auto expected = direct->generate(request, quiet, cancel);
        QCOMPARE(job.images.size(), static_cast<qsizetype>(expected.images.size()));
        for (std::size_t i = 0; i < expected.images.size(); ++i) {
            const auto& image = job.images[static_cast<qsizetype>(i)];
            QCOMPARE(image.format(), QImage::Format_RGB888);
            QCOMPARE(image, imageFromRgb(expected.images[i].rgb, 128, 96));
            QCOMPARE(job.result.images[i].seed, expected.images[i].seed);
            QCOMPARE(job.result.images[i].prompt, expected.images[i].prompt);
        }
        QCOMPARE(job.result.request.prompts, request.prompts);
        QCOMPARE(job.result.timings.stepMs.size(), std::size_t{3});
        QCOMPARE(job.planSummary, QString::fromStdString(expected.plan.summary()));
        QCOMPARE(job.result.deviceName, std::string("cpu"));
    }

    // Previews only when asked for, and at most one per interval.
    void previewsOnlyWhenAskedFor() {
        QVERIFY(openFixture());
        QVERIFY(run(smallRequest(1, 2), 1)); // off by default
        for (const auto& preview : m_recorder->previews(1))
            QVERIFY(preview.isNull());
        m_worker->setPreviewOptions({true, 3600 * 1000, 512});
        QVERIFY(run(smallRequest(1, 3), 2));
        const auto previews = m_recorder->previews(2);
        QCOMPARE(previews.size(), 3);
        QVERIFY(!previews[0].isNull()); // the first step always gets one
        QVERIFY(previews[1].isNull());
        QVERIFY(previews[2].isNull());
    }

    // The preview of the last step against the image decoded from the same latents, for a request no factor was
    // fitted on, over 8x8 blocks. Measured: correlations of 0.246, 0.247 and 0.145 (red, green, blue; the fixture's
    // random-weight VAE follows its latents only weakly, see latent_preview.h); required: above 0.07, half the lowest.
    void previewFollowsTheDecodedImage() {
        QVERIFY(openFixture());
        m_worker->setPreviewOptions({true, 0, 512});
        auto request = smallRequest(2024, 4);
        request.prompts = {"a red bicycle leaning on a blue wall"};
        QVERIFY(run(request, 1));
        QVERIFY(m_recorder->results.count(1));
        const auto preview = m_recorder->previews(1).last().convertToFormat(QImage::Format_RGB888);
        const auto decoded = m_recorder->results.at(1).images.first();
        QCOMPARE(preview.size(), decoded.size());
        for (int channel = 0; channel < 3; ++channel) {
            const double r = blockCorrelation(preview, decoded, channel);
            std::cout << "channel " << channel << ": correlation " << r << "\n";
            QVERIFY2(r > 0.07, qPrintable(QString::number(r)));
        }
    }

    // The worker refits the preview's projection to each finished job's latents and decoded image: the same request
    // run again previews with a projection fitted to exactly that image, which follows it at least as closely as the
    // built-in one did (the least-squares fit maximises the block-level agreement the correlation measures).
    void previewLearnsFromFinishedJobs() {
        QVERIFY(openFixture());
        m_worker->setPreviewOptions({true, 0, 512});
        auto request = smallRequest(77, 3);
        request.prompts = {"a green parrot on a yellow branch"};
        QVERIFY(run(request, 1));
        QVERIFY(run(request, 2));
        const auto decoded = m_recorder->results.at(2).images.first();
        const auto before = m_recorder->previews(1).last().convertToFormat(QImage::Format_RGB888);
        const auto after = m_recorder->previews(2).last().convertToFormat(QImage::Format_RGB888);
        QCOMPARE(m_recorder->results.at(1).images.first(), decoded);
        for (int channel = 0; channel < 3; ++channel) {
            const double r1 = blockCorrelation(before, decoded, channel);
            const double r2 = blockCorrelation(after, decoded, channel);
            std::cout << "channel " << channel << ": built-in " << r1 << ", learned " << r2 << "\n";
            QVERIFY2(r2 > r1, qPrintable(QStringLiteral("%1 <= %2").arg(r2).arg(r1)));
        }
    }

    // Cancelled from the test's thread while the job is at step 1 (the worker is held there until the cancel is in):
    // jobCancelled, no further step, and the next job runs to the end.
    void cancelStopsTheJobAndTheNextOneRuns() {
        QVERIFY(openFixture());
        QSemaphore cancelled;
        std::atomic<bool> gateTimedOut{false};
        const auto gate = connect(
            m_worker.get(), &EngineWorker::stepProgress, m_worker.get(),
            [&](quint64 job, int step, int, double, double, const QImage&) {
                if (job == 1 && step == 1 && !cancelled.tryAcquire(1, kTimeoutMs))
                    gateTimedOut = true;
            },
            Qt::DirectConnection);
        Q_EMIT m_front->generateRequested(smallRequest(3, 4), 1);
        QVERIFY(
            QTest::qWaitFor([this] { return m_recorder->trace(1).contains(QStringLiteral("step:1/4")); }, kTimeoutMs));
        m_worker->cancel();
        cancelled.release();
        QVERIFY(QTest::qWaitFor([this] { return m_recorder->ended(1); }, kTimeoutMs));
        disconnect(gate);
        QVERIFY(!gateTimedOut);
        QCOMPARE(m_recorder->trace(1), (QStringList{QStringLiteral("started"), QStringLiteral("stage:encoding text"),
                                                    QStringLiteral("stage:denoising"), QStringLiteral("step:1/4"),
                                                    QStringLiteral("cancelled")}));
        QVERIFY(run(smallRequest(3, 2), 2));
        QCOMPARE(m_recorder->trace(2), completeTrace(2));
    }

    // A job cancelled by id before it runs ends with jobCancelled alone; the jobs around it run.
    void cancelByIdBeforeTheJobRuns() {
        QVERIFY(openFixture());
        m_worker->cancel(2);
        Q_EMIT m_front->generateRequested(smallRequest(4, 2), 1);
        Q_EMIT m_front->generateRequested(smallRequest(5, 2), 2);
        Q_EMIT m_front->generateRequested(smallRequest(6, 2), 3);
        QVERIFY(QTest::qWaitFor([this] { return m_recorder->ended(3); }, kTimeoutMs));
        QCOMPARE(m_recorder->trace(1), completeTrace(2));
        QCOMPARE(m_recorder->trace(2), QStringList{QStringLiteral("cancelled")});
        QCOMPARE(m_recorder->trace(3), completeTrace(2));
        // A cancel while nothing runs is not kept for a later job.
        m_worker->cancel();
        QVERIFY(run(smallRequest(7, 2), 4));
        QCOMPARE(m_recorder->trace(4), completeTrace(2));
    }

    // A folder without a model: modelFailed says what to do; generating then says that no model is open; the worker
    // still opens the right folder afterwards. This worker runs on a thread the test owns.
    void badModelFolderFailsWithAHint() {
        cleanup();
        QThread thread;
        auto* worker = new EngineWorker(&thread);
        Recorder recorder(*worker);
        thread.start();
        QTemporaryDir empty;
        QVERIFY(empty.isValid());
        QMetaObject::invokeMethod(
            worker, [worker, path = empty.path()] { worker->openModel(path, fixtureOptions()); }, Qt::QueuedConnection);
        QVERIFY(QTest::qWaitFor([&] { return !recorder.modelFailure.isEmpty(); }, kTimeoutMs));
        QVERIFY(recorder.ready.isEmpty());
        QCOMPARE(recorder.modelFailure.size(), 3);
        QVERIFY(!recorder.modelFailure[0].isEmpty());
        QVERIFY2(recorder.modelFailure[1].contains(empty.path()), qPrintable(recorder.modelFailure[1]));
        QVERIFY(!recorder.modelFailure[2].isEmpty());

        QMetaObject::invokeMethod(
            worker, [worker] { worker->generate(smallRequest(1, 2), 1); }, Qt::QueuedConnection);
        QVERIFY(QTest::qWaitFor([&] { return recorder.ended(1); }, kTimeoutMs));
        QVERIFY(recorder.failure(1));
        QCOMPARE(recorder.failures.at(1).first, ErrorCode::ModelFiles);

        QMetaObject::invokeMethod(
            worker, [worker] { worker->openModel(fixtureModel(), fixtureOptions()); }, Qt::QueuedConnection);
        QVERIFY(QTest::qWaitFor([&] { return !recorder.ready.isEmpty(); }, kTimeoutMs));
        thread.quit();
        QVERIFY(thread.wait(kTimeoutMs));
        delete worker;
    }

    // Every problem of the request comes back in jobFailed; the next job runs.
    void invalidRequestFailsWithItsProblems() {
        QVERIFY(openFixture());
        auto request = smallRequest(8, 2);
        request.width = 1000;
        request.steps = 0;
        request.prompts.clear();
        const auto problems = request.validate();
        QVERIFY(problems.size() >= 3);
        QVERIFY(run(request, 1));
        QCOMPARE(m_recorder->trace(1), (QStringList{QStringLiteral("started"), QStringLiteral("failed")}));
        QCOMPARE(m_recorder->failures.at(1).first, ErrorCode::InvalidInput);
        const auto message = m_recorder->failure(1)->detail;
        for (const auto& problem : problems)
            QVERIFY2(message.contains(QString::fromStdString(problem)), qPrintable(message));
        QVERIFY(run(smallRequest(8, 2), 2));
        QCOMPARE(m_recorder->trace(2), completeTrace(2));
    }

    void invalidMemoryOptionsAreRejected() {
        QVERIFY(openFixture());
        MemoryOptions options;
        options.vaeTileSize = 100;
        Q_EMIT m_front->memoryOptionsRequested(options);
        QVERIFY(QTest::qWaitFor([this] { return !m_recorder->memoryAnswer.isEmpty(); }, kTimeoutMs));
        QVERIFY2(m_recorder->memoryAnswer.contains(QStringLiteral("100")), qPrintable(m_recorder->memoryAnswer));
        m_recorder->memoryAnswer.clear();
        options.vaeTileSize = 512;
        options.vaeTiling = TilingChoice::On;
        Q_EMIT m_front->memoryOptionsRequested(options);
        QVERIFY(QTest::qWaitFor([this] { return !m_recorder->memoryAnswer.isEmpty(); }, kTimeoutMs));
        QCOMPARE(m_recorder->memoryAnswer, QStringLiteral("changed"));
    }

    // The test's thread stands for the GUI thread: its timer keeps ticking while a job runs. The worker is held at
    // step 1 until the timer has ticked 3 times (the ticks are counted, never timed); a GUI thread that waited on the
    // engine would never tick and the hold would time out.
    void guiThreadStaysResponsive() {
        QVERIFY(openFixture());
        std::atomic<int> ticks{0};
        QSemaphore ticked;
        QTimer timer;
        timer.setInterval(1);
        connect(&timer, &QTimer::timeout, this, [&] {
            if (++ticks == 3)
                ticked.release();
        });
        std::atomic<bool> heldOnGuiThread{false};
        std::atomic<bool> holdTimedOut{false};
        const auto hold = connect(
            m_worker.get(), &EngineWorker::stepProgress, m_worker.get(),
            [&](quint64, int step, int, double, double, const QImage&) {
                heldOnGuiThread = heldOnGuiThread || QThread::currentThread() == thread();
                if (step != 1)
                    return;
                if (!ticked.tryAcquire(1, kTimeoutMs))
                    holdTimedOut = true;
            },
            Qt::DirectConnection);
        const auto started = connect(m_worker.get(), &EngineWorker::jobStarted, this, [&](quint64) { timer.start(); });
        QVERIFY(run(smallRequest(9, 3), 1));
        timer.stop();
        disconnect(hold);
        disconnect(started);
        QVERIFY(!heldOnGuiThread);
        QVERIFY(!holdTimedOut);
        QVERIFY(ticks >= 3);
        QCOMPARE(m_recorder->trace(1), completeTrace(3));
    }
};

QTEST_MAIN(TestEngineWorker)
#include "test_engine_worker.moc"
