// The memory readout: MemoryMonitor (samples an injected source on its own thread, keeps one minute), SparklineWidget
// (series, tooltip, painting) and MemoryStatusWidget (the status-bar text with and without a GPU, the plan). No GPU is
// needed: the stats are made up here. Expected texts are the formats the brief gives ("GPU 13.6 / 79.6 GiB · app
// 12.1 GiB (peak 13.6) · RAM 5.2 / 24.0 GiB"), in the C locale; GiB is 2^30 bytes; the window is kWindowMs.

#include "memory_monitor.h"
#include "memory_status_widget.h"
#include "sparkline_widget.h"

#include <QLabel>
#include <QLocale>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

using namespace zimage;
using namespace zimage::ui;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::uint64_t gib(double value) {
    return static_cast<std::uint64_t>(std::llround(value * kGiB));
}

MemoryStats gpuStats() {
    MemoryStats stats;
    stats.deviceAvailable = true;
    stats.deviceSource = DeviceMemorySource::Nvml;
    stats.deviceTotalBytes = gib(79.6);
    stats.deviceUsedBytes = gib(13.6);
    stats.deviceFreeBytes = stats.deviceTotalBytes - stats.deviceUsedBytes;
    stats.allocatedBytes = gib(12.1);
    stats.peakAllocatedBytes = gib(13.6);
    stats.reservedBytes = gib(12.5);
    stats.peakReservedBytes = gib(14.0);
    stats.hostRssBytes = gib(3.0);
    stats.peakHostRssBytes = gib(3.5);
    stats.hostTotalBytes = gib(24.0);
    stats.hostAvailableBytes = gib(18.8); // 5.2 used
    return stats;
}

MemoryStats cpuStats() {
    MemoryStats stats;
    stats.hostRssBytes = gib(2.0);
    stats.peakHostRssBytes = gib(2.5);
    stats.hostTotalBytes = gib(24.0);
    stats.hostAvailableBytes = gib(18.8);
    return stats;
}

MemoryPlan streamedPlan() {
    MemoryPlan plan;
    plan.kind = PlanChoice::Stream;
    plan.textEncoder = {StagePlacement::Streamed, 35, 0};
    plan.transformer = {StagePlacement::Resident, 34, 34};
    plan.vaeTiled = true;
    plan.vaeTileSize = 512;
    plan.budgetBytes = gib(8.0);
    plan.estimatedPeakBytes = gib(7.5);
    plan.reasons = {"the text encoder does not fit beside the DiT"};
    return plan;
}

// Counts the painted pixels (anything but the white background) of `image` in rows [firstRow, lastRow].
int paintedPixels(const QImage& image, int firstRow, int lastRow) {
    int count = 0;
    for (int y = firstRow; y <= lastRow; ++y)
        for (int x = 0; x < image.width(); ++x)
            if (image.pixelColor(x, y).red() < 230)
                ++count;
    return count;
}

} // namespace

class TestMemoryStatus : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale::c()); }

    void monitorSamplesOffTheGuiThread() {
        std::atomic<int> calls = 0;
        std::atomic<QThread*> sourceThread = nullptr;
        MemoryMonitor monitor([&] {
            sourceThread = QThread::currentThread();
            MemoryStats stats = gpuStats();
            stats.allocatedBytes = static_cast<std::uint64_t>(++calls);
            return stats;
        });
        QSignalSpy sampled(&monitor, &MemoryMonitor::sampled);
        monitor.start(10);
        QVERIFY(monitor.isActive());
        QTRY_VERIFY_WITH_TIMEOUT(sampled.count() >= 3, 10000);
        QVERIFY(sourceThread.load() != nullptr);
        QVERIFY(sourceThread.load() != QThread::currentThread()); // readMemoryStats never runs on the GUI thread
        monitor.stop();
        QVERIFY(!monitor.isActive());
        // Samples arrive in the order taken: the fake numbers its calls.
        const QList<MemorySample> samples = monitor.samples();
        QVERIFY(samples.size() >= 3);
        for (qsizetype i = 1; i < samples.size(); ++i)
            QVERIFY(samples[i].stats.allocatedBytes > samples[i - 1].stats.allocatedBytes);
        QCOMPARE(monitor.latest().stats.allocatedBytes, samples.last().stats.allocatedBytes);
    }

    void firstSampleComesAtOnce() {
        MemoryMonitor monitor([] { return cpuStats(); });
        QSignalSpy sampled(&monitor, &MemoryMonitor::sampled);
        monitor.start(3600 * 1000); // an hour: only the immediate sample can arrive
        QVERIFY(sampled.wait(10000));
        QCOMPARE(sampled.count(), 1);
    }

    void windowDropsSamplesOlderThanAMinute() {
        MemoryMonitor monitor([] { return cpuStats(); });
        qint64 now = 0;
        monitor.setClock([&now] { return now; });
        QSignalSpy sampled(&monitor, &MemoryMonitor::sampled);
        for (const qint64 at : {0, 30000, 60000}) {
            now = at;
            monitor.addSample(gpuStats());
        }
        QCOMPARE(sampled.count(), 3);          // pushed samples are reported like the timer's
        QCOMPARE(monitor.samples().size(), 3); // 60 s after the first: still inside the window (kWindowMs)
        now = MemoryMonitor::kWindowMs + 1;
        monitor.addSample(cpuStats());
        const QList<MemorySample> samples = monitor.samples();
        QCOMPARE(samples.size(), 3);
        QCOMPARE(samples.first().timeMs, qint64(30000));
        QCOMPARE(samples.last().timeMs, MemoryMonitor::kWindowMs + 1);
        QVERIFY(!samples.last().stats.deviceAvailable);
    }

    void sampleCountIsBounded() {
        MemoryMonitor monitor([] { return cpuStats(); });
        monitor.setClock([] { return qint64(0); });
        for (int i = 0; i < MemoryMonitor::kMaxSamples + 50; ++i)
            monitor.addSample(cpuStats());
        QCOMPARE(monitor.samples().size(), MemoryMonitor::kMaxSamples);
    }

    void destroyingWhileSamplingJoins() {
        std::atomic<int> calls = 0;
        auto monitor = std::make_unique<MemoryMonitor>([&calls] {
            ++calls;
            std::this_thread::sleep_for(std::chrono::milliseconds(20)); // a slow driver
            return cpuStats();
        });
        monitor->start(1);
        QTRY_VERIFY_WITH_TIMEOUT(calls.load() >= 2, 10000);
        monitor.reset(); // joins the sampling thread; no call may come after
        const int after = calls.load();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        QCOMPARE(calls.load(), after);
    }

    void textWithGpu() {
        MemoryStatusWidget widget;
        widget.setStats(gpuStats());
        QCOMPARE(widget.statsText(),
                 QStringLiteral("GPU 13.6 / 79.6 GiB · app 12.1 GiB (peak 13.6) · RAM 5.2 / 24.0 GiB"));
        widget.setDeviceName(QStringLiteral("cuda:0 (NVIDIA H200)"));
        const QString tip = widget.toolTip();
        QVERIFY2(tip.contains(QStringLiteral("cuda:0 (NVIDIA H200)")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("66.0 GiB free")), qPrintable(tip));           // 79.6 - 13.6
        QVERIFY2(tip.contains(QStringLiteral("12.5 GiB, peak 14.0 GiB")), qPrintable(tip)); // reserved
        QVERIFY2(tip.contains(QStringLiteral("3.0 GiB, peak 3.5 GiB")), qPrintable(tip));   // host RSS
        QVERIFY2(tip.contains(QStringLiteral("nvidia-smi")), qPrintable(tip));              // NVML's figures
    }

    void textWithoutGpu() {
        MemoryStatusWidget widget;
        widget.setStats(cpuStats());
        QCOMPARE(widget.statsText(), QStringLiteral("No GPU: running on the CPU · RAM 5.2 / 24.0 GiB"));
        QVERIFY(widget.toolTip().contains(QStringLiteral("2.0 GiB, peak 2.5 GiB")));
    }

    void planRunningThenLastJob() {
        MemoryStatusWidget widget;
        QCOMPARE(widget.planText(), QString());
        auto* label = widget.findChild<QLabel*>(QStringLiteral("memoryPlanLabel"));
        QVERIFY(label);
        widget.setPlan(streamedPlan(), true);
        QCOMPARE(
            widget.planText(),
            QStringLiteral("Plan: text encoder streamed (0 of 35 layers resident), DiT resident, VAE tiled 512 px"));
        QVERIFY(label->isEnabled());
        QVERIFY(label->toolTip().contains(QStringLiteral("the text encoder does not fit beside the DiT")));
        QVERIFY(label->toolTip().contains(QStringLiteral("8.0 GiB")));
        widget.markPlanFinished();
        QCOMPARE(widget.planText(), QStringLiteral("Last job: text encoder streamed (0 of 35 layers resident), DiT "
                                                   "resident, VAE tiled 512 px"));
        QVERIFY(!label->isEnabled()); // greyed
        widget.clearPlan();
        QCOMPARE(widget.planText(), QString());
        QVERIFY(label->isHidden());
    }

    void planPhrasesForEveryPlacement() {
        MemoryPlan plan;
        plan.textEncoder = {StagePlacement::Cpu, 36, 0};
        plan.transformer = {StagePlacement::Streamed, 30, 20};
        QCOMPARE(
            MemoryStatusWidget::describePlan(plan, true),
            QStringLiteral("Plan: text encoder on the CPU, DiT streamed (20 of 30 blocks resident), VAE whole image"));
        plan.textEncoder = {StagePlacement::Sequential, 36, 0};
        QVERIFY(MemoryStatusWidget::describePlan(plan, true).contains(QStringLiteral("only while encoding")));
    }

    void sparklineFollowsDeviceMemory() {
        MemoryStatusWidget widget;
        QList<MemorySample> samples;
        for (int i = 0; i < 3; ++i) {
            MemoryStats stats = gpuStats();
            stats.deviceTotalBytes = gib(10.0);
            stats.deviceUsedBytes = gib(1.0 + i);
            samples.append({1000 * i, stats});
        }
        widget.setHistory(samples);
        // x: seconds before the newest sample; y: device used in GiB; maximum: the device's total.
        const QList<QPointF> expected{{-2.0, 1.0}, {-1.0, 2.0}, {0.0, 3.0}};
        QCOMPARE(widget.sparkline()->series(), expected);
        QCOMPARE(widget.sparkline()->maximum(), 10.0);
        QCOMPARE(widget.sparkline()->toolTip(),
                 QStringLiteral("Last minute: lowest 1.0 GiB, highest 3.0 GiB, now 3.0 GiB"));
    }

    void sparklineFollowsHostMemoryWithoutGpu() {
        MemoryStatusWidget widget;
        MemoryStats first = cpuStats();
        MemoryStats second = cpuStats();
        second.hostAvailableBytes = gib(12.0); // 12 GiB used
        widget.setHistory({{0, first}, {500, second}});
        const QList<QPointF> expected{{-0.5, 5.2}, {0.0, 12.0}};
        const QList<QPointF> series = widget.sparkline()->series();
        QCOMPARE(series.size(), 2);
        for (qsizetype i = 0; i < series.size(); ++i) {
            QCOMPARE(series[i].x(), expected[i].x());
            QVERIFY(std::abs(series[i].y() - expected[i].y()) < 1e-6);
        }
        QCOMPARE(widget.sparkline()->maximum(), 24.0);
    }

    void widgetFollowsMonitor() {
        MemoryMonitor monitor([] { return gpuStats(); });
        MemoryStatusWidget widget;
        widget.setMonitor(&monitor);
        monitor.addSample(cpuStats());
        QCOMPARE(widget.statsText(), QStringLiteral("No GPU: running on the CPU · RAM 5.2 / 24.0 GiB"));
        QCOMPARE(widget.sparkline()->series().size(), 1);
        monitor.start(3600 * 1000);
        QSignalSpy sampled(&monitor, &MemoryMonitor::sampled);
        QVERIFY(sampled.wait(10000));
        QVERIFY(widget.statsText().startsWith(QStringLiteral("GPU 13.6 / 79.6 GiB")));
        // The sparkline switched to the device's series: only the GPU sample is of that kind.
        QCOMPARE(widget.sparkline()->series().size(), 1);
        QCOMPARE(widget.sparkline()->maximum(), toGiB(gib(79.6)));
    }

    void sparklinePaintsTheLevel() {
        SparklineWidget sparkline;
        QPalette palette = sparkline.palette();
        palette.setColor(QPalette::Highlight, QColor(0, 0, 255));
        palette.setColor(QPalette::Window, Qt::white);
        palette.setColor(QPalette::WindowText, Qt::white); // the frame out of the way
        sparkline.setPalette(palette);
        sparkline.setAutoFillBackground(true);
        QCOMPARE(sparkline.size(), SparklineWidget::kSize);
        const int height = SparklineWidget::kSize.height();

        // Half the maximum: the line across the middle rows and the area below it painted, the rows above blank
        // (the plot sits 1 px inside a 1 px frame).
        sparkline.setSeries({{-60.0, 5.0}, {0.0, 5.0}}, 10.0);
        QImage image = sparkline.grab().toImage().scaled(SparklineWidget::kSize);
        const int middle = height / 2;
        QCOMPARE(paintedPixels(image, 2, middle - 3), 0);
        QVERIFY(paintedPixels(image, middle - 1, middle) > 60);
        QVERIFY(paintedPixels(image, middle + 2, height - 3) > 60 * (height - 3 - middle - 2));

        // Unknown maximum: nothing drawn.
        sparkline.setSeries({{0.0, 5.0}}, 0.0);
        image = sparkline.grab().toImage().scaled(SparklineWidget::kSize);
        QCOMPARE(paintedPixels(image, 0, height - 1), 0);
        QCOMPARE(sparkline.toolTip(), QStringLiteral("Last minute: lowest 5, highest 5, now 5"));
    }
};

QTEST_MAIN(TestMemoryStatus)
#include "test_memory_status.moc"
