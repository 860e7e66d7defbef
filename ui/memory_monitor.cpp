#include "memory_monitor.h"

#include "engine_metatypes.h"

#include <QThread>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <utility>

namespace zimage::ui {

// Lives on the sampling thread with its timer; hands each sample to the monitor by a queued call.
class MemoryMonitor::Sampler : public QObject {
public:
    Sampler(Source source, MemoryMonitor* monitor)
        : m_source(std::move(source))
        , m_monitor(monitor) {}

    void begin(int intervalMs) {
        if (!m_timer) {
            m_timer = new QTimer(this);
            connect(m_timer, &QTimer::timeout, this, &Sampler::sample);
        }
        m_timer->start(intervalMs);
        sample(); // the readout shows figures at once, not after the first interval
    }

    void end() {
        if (m_timer)
            m_timer->stop();
    }

private:
    void sample() {
        const MemoryStats stats = m_source();
        // The monitor outlives this thread (its destructor joins it), and a call queued to it is dropped if not.
        QMetaObject::invokeMethod(
            m_monitor, [monitor = m_monitor, stats] { monitor->addSample(stats); }, Qt::QueuedConnection);
    }

    Source m_source;
    MemoryMonitor* m_monitor;
    QTimer* m_timer = nullptr;
};

MemoryMonitor::MemoryMonitor(QObject* parent)
    : MemoryMonitor(0, parent) {}

MemoryMonitor::MemoryMonitor(int cudaDevice, QObject* parent)
    : MemoryMonitor([cudaDevice] { return readMemoryStats(cudaDevice); }, parent) {}

MemoryMonitor::MemoryMonitor(Source source, QObject* parent)
    : QObject(parent)
    , m_thread(std::make_unique<QThread>())
    , m_sampler(new Sampler(std::move(source), this))
    , m_clock([] {
        return static_cast<qint64>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
                .count());
    }) {
    registerEngineMetaTypes();
    m_thread->setObjectName(QStringLiteral("memory monitor"));
    m_sampler->moveToThread(m_thread.get());
    // The sampler and its timer are deleted on their own thread, as it finishes.
    connect(m_thread.get(), &QThread::finished, m_sampler, &QObject::deleteLater);
    m_thread->start(QThread::LowPriority);
}

MemoryMonitor::~MemoryMonitor() {
    m_thread->quit();
    m_thread->wait();
}

void MemoryMonitor::start(int intervalMs) {
    m_intervalMs = std::max(1, intervalMs);
    m_active = true;
    QMetaObject::invokeMethod(
        m_sampler, [sampler = m_sampler, ms = m_intervalMs] { sampler->begin(ms); }, Qt::QueuedConnection);
}

void MemoryMonitor::stop() {
    m_active = false;
    QMetaObject::invokeMethod(
        m_sampler, [sampler = m_sampler] { sampler->end(); }, Qt::QueuedConnection);
}

QList<MemorySample> MemoryMonitor::samples() const {
    return QList<MemorySample>(m_samples.begin(), m_samples.end());
}

MemorySample MemoryMonitor::latest() const {
    return m_samples.empty() ? MemorySample{} : m_samples.back();
}

void MemoryMonitor::setClock(Clock clock) {
    m_clock = std::move(clock);
}

void MemoryMonitor::addSample(const zimage::MemoryStats& stats) {
    const qint64 now = m_clock();
    m_samples.push_back({now, stats});
    prune(now);
    Q_EMIT sampled(stats);
}

void MemoryMonitor::prune(qint64 now) {
    while (!m_samples.empty() && now - m_samples.front().timeMs > kWindowMs)
        m_samples.pop_front();
    while (m_samples.size() > static_cast<std::size_t>(kMaxSamples))
        m_samples.pop_front();
}

} // namespace zimage::ui
