#include "sparkline_widget.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <utility>

namespace zimage::ui {
namespace {

// Readable on light and dark palettes alike; the palette has no "warning" role.
const QColor kWarningColor(0xd9, 0x48, 0x2b);

} // namespace

SparklineWidget::SparklineWidget(QWidget* parent)
    : QWidget(parent) {
    setFixedSize(kSize);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

void SparklineWidget::setSeries(const QList<QPointF>& points, double maximum) {
    m_points = points;
    m_maximum = std::isfinite(maximum) && maximum > 0.0 ? maximum : 0.0;
    updateToolTip();
    update();
}

void SparklineWidget::clear() {
    setSeries({}, 0.0);
}

void SparklineWidget::setWindowSeconds(double seconds) {
    m_windowSeconds = std::max(1.0, seconds);
    updateToolTip();
    update();
}

void SparklineWidget::setValueFormatter(Formatter formatter) {
    m_formatter = std::move(formatter);
    updateToolTip();
}

QString SparklineWidget::summary() const {
    if (m_points.isEmpty())
        return {};
    const auto [low, high] = std::minmax_element(m_points.begin(), m_points.end(),
                                                 [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); });
    const auto format = [this](double value) { return m_formatter ? m_formatter(value) : QLocale().toString(value); };
    const QString text = m_windowSeconds == 60.0 ? tr("Last minute: lowest %1, highest %2, now %3")
                                                 : tr("Last %n second(s): lowest %1, highest %2, now %3", nullptr,
                                                      static_cast<int>(m_windowSeconds));
    return text.arg(format(low->y()), format(high->y()), format(m_points.last().y()));
}

QPointF SparklineWidget::toWidget(const QPointF& point, const QRectF& area) const {
    const double x = area.left() + (point.x() + m_windowSeconds) / m_windowSeconds * area.width();
    const double y = area.bottom() - std::clamp(point.y() / m_maximum, 0.0, 1.0) * area.height();
    return {std::clamp(x, area.left(), area.right()), y};
}

void SparklineWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    // Half-pixel insets keep the 1-pixel cosmetic lines on whole device pixels at any pixel ratio.
    const QRectF frame = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    QColor frameColor = palette().color(QPalette::WindowText);
    frameColor.setAlphaF(0.25);
    painter.setPen(QPen(frameColor, 0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(frame);
    if (m_points.isEmpty() || m_maximum <= 0.0)
        return;

    const QRectF area = frame.adjusted(1.0, 1.0, -1.0, -1.0);
    QPainterPath line;
    bool first = true;
    for (const QPointF& point : m_points) {
        if (point.x() < -m_windowSeconds) // older than the window: off the chart
            continue;
        const QPointF at = toWidget(point, area);
        if (first)
            line.moveTo(at);
        else
            line.lineTo(at);
        first = false;
    }
    if (first)
        return;
    if (line.elementCount() == 1) // a single sample: a level line up to now
        line.lineTo(toWidget({0.0, m_points.last().y()}, area));

    const bool warning = m_points.last().y() >= kWarningFraction * m_maximum;
    const QColor lineColor = warning ? kWarningColor : palette().color(QPalette::Highlight);
    QColor fillColor = lineColor;
    fillColor.setAlphaF(0.3);

    QPainterPath areaPath = line;
    areaPath.lineTo(line.currentPosition().x(), area.bottom());
    areaPath.lineTo(line.elementAt(0).x, area.bottom());
    areaPath.closeSubpath();
    painter.fillPath(areaPath, fillColor);
    painter.setPen(QPen(lineColor, 1.0));
    painter.drawPath(line);
}

void SparklineWidget::updateToolTip() {
    setToolTip(summary());
}

} // namespace zimage::ui
