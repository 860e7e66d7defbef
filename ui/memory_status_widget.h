#pragma once
// The memory readout of the status bar: the whole device's used/total memory, this app's allocator (current and
// peak) and the host's RAM as one line, a sparkline of the last minute, and the current job's memory plan (the last
// job's, greyed, when idle). Without a GPU it says so and follows host memory. The tooltip has every figure.

#include "memory_monitor.h"

#include <zimage/memory.h>
#include <zimage/memory_plan.h>

#include <QPointer>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <optional>

class QFrame;
class QLabel;

namespace zimage::ui {

class SparklineWidget;

// Bytes in GiB (2^30 bytes).
double toGiB(std::uint64_t bytes);
// The readout's one number format for memory: GiB with one decimal in the locale's digits ("13.6", "13,6"), no unit
// (the sentences around it carry the unit, so translations place it).
QString formatGiB(double gib);
QString formatGiB(std::uint64_t bytes);

class MemoryStatusWidget : public QWidget {
    Q_OBJECT

public:
    explicit MemoryStatusWidget(QWidget* parent = nullptr);

    // Follows `monitor`'s samples: the text and the sparkline of its last minute. Null stops following.
    void setMonitor(MemoryMonitor* monitor);

    // What the labels show now (tests, screenshots).
    QString statsText() const;
    QString planText() const; // empty when no plan is shown
    bool planIsCurrent() const { return m_planRunning; }
    SparklineWidget* sparkline() const { return m_sparkline; }

    // "Plan: text encoder streamed (0 of 35 layers resident), DiT resident, VAE tiled 512 px" (translated; the engine's
    // MemoryPlan::summary() is English).
    static QString describePlan(const zimage::MemoryPlan& plan, bool running);

public Q_SLOTS:
    void setStats(const zimage::MemoryStats& stats);
    // The sparkline's series: device memory used, or host memory used without a GPU.
    void setHistory(const QList<zimage::ui::MemorySample>& samples);
    // The device as the engine names it ("cuda:0 (NVIDIA H200)", EngineWorker::modelReady), for the tooltip.
    void setDeviceName(const QString& name);
    // `running`: the plan of the job running now; false: the last job's (greyed).
    void setPlan(const zimage::MemoryPlan& plan, bool running);
    // Marks the plan shown as the last job's (the job ended); no-op without one.
    void markPlanFinished();
    void clearPlan();

private:
    void updateStatsText();
    void updatePlanLabel();
    QString statsToolTip() const;

    QLabel* m_statsLabel;
    SparklineWidget* m_sparkline;
    QFrame* m_planSeparator;
    QLabel* m_planLabel;
    QPointer<MemoryMonitor> m_monitor;
    std::optional<zimage::MemoryStats> m_stats;
    QString m_deviceName;
    std::optional<zimage::MemoryPlan> m_plan;
    bool m_planRunning = false;
};

} // namespace zimage::ui
