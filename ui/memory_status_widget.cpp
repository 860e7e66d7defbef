#include "memory_status_widget.h"

#include "sparkline_widget.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QStringList>

#include <algorithm>

namespace zimage::ui {
namespace {

constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;

std::uint64_t hostUsedBytes(const MemoryStats& stats) {
    return stats.hostTotalBytes > stats.hostAvailableBytes ? stats.hostTotalBytes - stats.hostAvailableBytes : 0;
}

QString textEncoderPhrase(const StagePlan& stage) {
    switch (stage.placement) {
    case StagePlacement::Resident:
        return MemoryStatusWidget::tr("text encoder resident");
    case StagePlacement::Sequential:
        return MemoryStatusWidget::tr("text encoder on the GPU only while encoding");
    case StagePlacement::Streamed:
        return MemoryStatusWidget::tr("text encoder streamed (%1 of %2 layers resident)")
            .arg(stage.residentLayers)
            .arg(stage.layers);
    case StagePlacement::Cpu:
        break;
    }
    return MemoryStatusWidget::tr("text encoder on the CPU");
}

QString transformerPhrase(const StagePlan& stage) {
    switch (stage.placement) {
    case StagePlacement::Resident:
        return MemoryStatusWidget::tr("DiT resident");
    case StagePlacement::Sequential:
        return MemoryStatusWidget::tr("DiT on the GPU only while denoising");
    case StagePlacement::Streamed:
        return MemoryStatusWidget::tr("DiT streamed (%1 of %2 blocks resident)")
            .arg(stage.residentLayers)
            .arg(stage.layers);
    case StagePlacement::Cpu:
        break;
    }
    return MemoryStatusWidget::tr("DiT on the CPU");
}

QString vaePhrase(const MemoryPlan& plan) {
    return plan.vaeTiled ? MemoryStatusWidget::tr("VAE tiled %1 px").arg(plan.vaeTileSize)
                         : MemoryStatusWidget::tr("VAE whole image");
}

QString deviceSourceText(DeviceMemorySource source) {
    switch (source) {
    case DeviceMemorySource::Nvml:
        return MemoryStatusWidget::tr("NVML, the figures nvidia-smi shows");
    case DeviceMemorySource::CudaRuntime:
        return MemoryStatusWidget::tr("the CUDA runtime");
    case DeviceMemorySource::None:
        break;
    }
    return MemoryStatusWidget::tr("none");
}

} // namespace

double toGiB(std::uint64_t bytes) {
    return static_cast<double>(bytes) / kBytesPerGiB;
}

QString formatGiB(double gib) {
    return QLocale().toString(gib, 'f', 1);
}

QString formatGiB(std::uint64_t bytes) {
    return formatGiB(toGiB(bytes));
}

MemoryStatusWidget::MemoryStatusWidget(QWidget* parent)
    : QWidget(parent)
    , m_statsLabel(new QLabel(this))
    , m_sparkline(new SparklineWidget(this))
    , m_planSeparator(new QFrame(this))
    , m_planLabel(new QLabel(this)) {
    m_statsLabel->setObjectName(QStringLiteral("memoryStatsLabel"));
    m_sparkline->setObjectName(QStringLiteral("memorySparkline"));
    m_planLabel->setObjectName(QStringLiteral("memoryPlanLabel"));
    m_sparkline->setValueFormatter([](double gib) { return tr("%1 GiB").arg(formatGiB(gib)); });

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_sparkline);
    layout->addWidget(m_statsLabel);
    layout->addWidget(m_planSeparator);
    layout->addWidget(m_planLabel);
    m_planSeparator->setFrameShape(QFrame::VLine);
    m_planSeparator->setFrameShadow(QFrame::Sunken);
    m_planSeparator->hide();
    m_planLabel->hide();
    updateStatsText();
}

void MemoryStatusWidget::setMonitor(MemoryMonitor* monitor) {
    if (m_monitor)
        disconnect(m_monitor, nullptr, this, nullptr);
    m_monitor = monitor;
    if (!monitor)
        return;
    connect(monitor, &MemoryMonitor::sampled, this, [this](const MemoryStats& stats) {
        setStats(stats);
        if (m_monitor)
            setHistory(m_monitor->samples());
    });
    if (monitor->hasSamples()) {
        setStats(monitor->latest().stats);
        setHistory(monitor->samples());
    }
}

QString MemoryStatusWidget::statsText() const {
    return m_statsLabel->text();
}

QString MemoryStatusWidget::planText() const {
    return m_plan ? m_planLabel->text() : QString();
}

QString MemoryStatusWidget::describePlan(const MemoryPlan& plan, bool running) {
    const QString text = running ? tr("Plan: %1, %2, %3") : tr("Last job: %1, %2, %3");
    return text.arg(textEncoderPhrase(plan.textEncoder), transformerPhrase(plan.transformer), vaePhrase(plan));
}

void MemoryStatusWidget::setStats(const MemoryStats& stats) {
    m_stats = stats;
    updateStatsText();
}

void MemoryStatusWidget::setHistory(const QList<MemorySample>& samples) {
    if (samples.isEmpty()) {
        m_sparkline->clear();
        return;
    }
    const MemorySample& newest = samples.last();
    const bool device = newest.stats.deviceAvailable;
    QList<QPointF> points;
    points.reserve(samples.size());
    for (const MemorySample& sample : samples) {
        if (sample.stats.deviceAvailable != device) // a sample of the other kind (e.g. before the device came up)
            continue;
        const double seconds = static_cast<double>(sample.timeMs - newest.timeMs) / 1000.0;
        const std::uint64_t used = device ? sample.stats.deviceUsedBytes : hostUsedBytes(sample.stats);
        points.append({seconds, toGiB(used)});
    }
    m_sparkline->setSeries(points, toGiB(device ? newest.stats.deviceTotalBytes : newest.stats.hostTotalBytes));
}

void MemoryStatusWidget::setDeviceName(const QString& name) {
    m_deviceName = name;
    updateStatsText();
}

void MemoryStatusWidget::setPlan(const MemoryPlan& plan, bool running) {
    m_plan = plan;
    m_planRunning = running;
    updatePlanLabel();
}

void MemoryStatusWidget::markPlanFinished() {
    if (!m_plan)
        return;
    m_planRunning = false;
    updatePlanLabel();
}

void MemoryStatusWidget::clearPlan() {
    m_plan.reset();
    m_planRunning = false;
    updatePlanLabel();
}

void MemoryStatusWidget::updateStatsText() {
    if (!m_stats) {
        m_statsLabel->setText(tr("Reading memory figures…"));
        setToolTip({});
        return;
    }
    const MemoryStats& s = *m_stats;
    if (s.deviceAvailable) {
        m_statsLabel->setText(tr("GPU %1 / %2 GiB · app %3 GiB (peak %4) · RAM %5 / %6 GiB")
                                  .arg(formatGiB(s.deviceUsedBytes), formatGiB(s.deviceTotalBytes),
                                       formatGiB(s.allocatedBytes), formatGiB(s.peakAllocatedBytes),
                                       formatGiB(hostUsedBytes(s)), formatGiB(s.hostTotalBytes)));
    } else {
        m_statsLabel->setText(tr("No GPU: running on the CPU · RAM %1 / %2 GiB")
                                  .arg(formatGiB(hostUsedBytes(s)), formatGiB(s.hostTotalBytes)));
    }
    // The figures change every second; a label that only grows keeps the status bar from twitching.
    m_statsLabel->setMinimumWidth(std::max(m_statsLabel->minimumWidth(), m_statsLabel->sizeHint().width()));
    setToolTip(statsToolTip());
}

QString MemoryStatusWidget::statsToolTip() const {
    const MemoryStats& s = *m_stats;
    QStringList lines;
    if (s.deviceAvailable) {
        lines << tr("Device: %1").arg(m_deviceName.isEmpty() ? tr("CUDA device") : m_deviceName)
              << tr("Device memory (whole device, all processes): %1 GiB used of %2 GiB, %3 GiB free")
                     .arg(formatGiB(s.deviceUsedBytes), formatGiB(s.deviceTotalBytes), formatGiB(s.deviceFreeBytes))
              << tr("Measured by %1.").arg(deviceSourceText(s.deviceSource))
              << tr("This app's tensors: %1 GiB now, peak %2 GiB since the job began")
                     .arg(formatGiB(s.allocatedBytes), formatGiB(s.peakAllocatedBytes))
              << tr("Reserved by this app's allocator (tensors and cache): %1 GiB, peak %2 GiB")
                     .arg(formatGiB(s.reservedBytes), formatGiB(s.peakReservedBytes));
    } else {
        lines << tr("No CUDA GPU is available: the model runs on the CPU, in host memory.");
    }
    lines << tr("This app in host memory: %1 GiB, peak %2 GiB")
                 .arg(formatGiB(s.hostRssBytes), formatGiB(s.peakHostRssBytes))
          << tr("Host memory: %1 GiB used of %2 GiB, %3 GiB available")
                 .arg(formatGiB(hostUsedBytes(s)), formatGiB(s.hostTotalBytes), formatGiB(s.hostAvailableBytes));
    return lines.join(QLatin1Char('\n'));
}

void MemoryStatusWidget::updatePlanLabel() {
    if (!m_plan) {
        m_planLabel->clear();
        m_planLabel->setToolTip({});
        m_planLabel->hide();
        m_planSeparator->hide();
        return;
    }
    const MemoryPlan& plan = *m_plan;
    m_planLabel->setText(describePlan(plan, m_planRunning));
    // Disabled reads greyed in every style: the plan of a job that is over.
    m_planLabel->setEnabled(m_planRunning);
    QStringList lines;
    if (plan.budgetBytes > 0)
        lines << tr("Memory budget %1 GiB, estimated peak %2 GiB")
                     .arg(formatGiB(plan.budgetBytes), formatGiB(plan.estimatedPeakBytes));
    for (const std::string& reason : plan.reasons) // the planner's own words (English, from the engine)
        lines << QString::fromStdString(reason);
    m_planLabel->setToolTip(lines.join(QLatin1Char('\n')));
    m_planLabel->show();
    m_planSeparator->show();
}

} // namespace zimage::ui
