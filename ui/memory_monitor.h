#pragma once
// The memory readout's sampler. zimage::readMemoryStats may wait on the CUDA runtime or NVML (a busy driver, a device
// being reset), so it runs on a thread of its own and the GUI hears each sample through a queued signal; the GUI
// thread never calls it. The monitor keeps the last minute of samples (for the sparkline), the timer's and those the
// engine reports with its stages (addSample), which show a job's peaks between two ticks.

#include <zimage/memory.h>

#include <QList>
#include <QObject>

#include <deque>
#include <functional>
#include <memory>

class QThread;

namespace zimage::ui {

struct MemorySample {
    qint64 timeMs = 0; // on the monitor's clock (a steady clock in ms; only differences mean anything)
    zimage::MemoryStats stats;
};

class MemoryMonitor : public QObject {
    Q_OBJECT

public:
    using Source = std::function<zimage::MemoryStats()>;
    using Clock = std::function<qint64()>;

    static constexpr int kDefaultIntervalMs = 1000;
    static constexpr qint64 kWindowMs = 60000; // what samples() keeps
    // A bound on the samples kept, however often the engine reports: a minute of 20 reports a second.
    static constexpr int kMaxSamples = 1200;

    // Samples readMemoryStats(0): the first CUDA device, as EngineOptions::cudaDevice's default.
    explicit MemoryMonitor(QObject* parent = nullptr);
    // Samples readMemoryStats(cudaDevice).
    explicit MemoryMonitor(int cudaDevice, QObject* parent = nullptr);
    // Samples `source` (called on the sampling thread; tests pass a fake so they need no GPU).
    explicit MemoryMonitor(Source source, QObject* parent = nullptr);
    // Stops the timer and joins the sampling thread (after a sample in progress).
    ~MemoryMonitor() override;

    // Takes one sample at once, then one every `intervalMs`. Calling it again changes the interval.
    void start(int intervalMs = kDefaultIntervalMs);
    void stop();
    bool isActive() const { return m_active; }
    int intervalMs() const { return m_intervalMs; }

    // The samples of the last kWindowMs, oldest first.
    QList<MemorySample> samples() const;
    // The newest sample; default-constructed stats (deviceAvailable false, all 0) before the first.
    MemorySample latest() const;
    bool hasSamples() const { return !m_samples.empty(); }

    // Replaces the steady clock (tests move time by hand to see the window slide).
    void setClock(Clock clock);

public Q_SLOTS:
    // Figures measured elsewhere (EngineWorker::stageChanged's), kept and reported like the timer's.
    void addSample(const zimage::MemoryStats& stats);

Q_SIGNALS:
    // On the monitor's thread (the GUI's), after the sample was added to samples().
    void sampled(const zimage::MemoryStats& stats);

private:
    class Sampler;

    void prune(qint64 now);

    std::unique_ptr<QThread> m_thread;
    Sampler* m_sampler = nullptr; // lives on m_thread; deleted there when it finishes
    Clock m_clock;
    std::deque<MemorySample> m_samples;
    int m_intervalMs = kDefaultIntervalMs;
    bool m_active = false;
};

} // namespace zimage::ui
