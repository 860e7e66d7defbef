#pragma once
// A small line-and-area chart of a series over a time window (the memory readout's last minute), for a status bar.
// Pure painting: the owner sets the series; nothing here runs on a timer.

#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <functional>

namespace zimage::ui {

class SparklineWidget : public QWidget {
    Q_OBJECT

public:
    using Formatter = std::function<QString(double value)>;

    static constexpr QSize kSize{80, 18}; // logical pixels (device-independent; painting follows the pixel ratio)
    // From this fraction of the maximum up, the line is drawn in the warning colour.
    static constexpr double kWarningFraction = 0.9;

    explicit SparklineWidget(QWidget* parent = nullptr);

    // `points`: x in seconds relative to the newest point (so in [-windowSeconds(), 0]), y in [0, maximum], oldest
    // first. A maximum of 0 (unknown) draws nothing.
    void setSeries(const QList<QPointF>& points, double maximum);
    void clear();
    QList<QPointF> series() const { return m_points; }
    double maximum() const { return m_maximum; }

    void setWindowSeconds(double seconds);
    double windowSeconds() const { return m_windowSeconds; }
    // How values read in the tooltip (e.g. "13.6 GiB"); the default prints the number.
    void setValueFormatter(Formatter formatter);
    // "Last minute: lowest %1, highest %2, now %3", or empty without points.
    QString summary() const;

    QSize sizeHint() const override { return kSize; }
    QSize minimumSizeHint() const override { return kSize; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QPointF toWidget(const QPointF& point, const QRectF& area) const;
    void updateToolTip();

    QList<QPointF> m_points;
    double m_maximum = 0.0;
    double m_windowSeconds = 60.0;
    Formatter m_formatter;
};

} // namespace zimage::ui
