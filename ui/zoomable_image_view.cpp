#include "zoomable_image_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace zimage::ui {

// The scroll area's widget, sized to the scaled image (the area centres it when it is smaller).
class ZoomableImageView::Canvas : public QWidget {
public:
    explicit Canvas(QWidget* parent)
        : QWidget(parent) {
        setObjectName(QStringLiteral("viewerImage"));
    }

    void setPixmap(const QPixmap& pixmap) {
        m_pixmap = pixmap;
        update();
    }
    // `scale`: logical pixels per image pixel.
    void setScale(double scale) {
        m_scale = scale;
        const QSizeF size = m_pixmap.isNull() ? QSizeF(0, 0) : QSizeF(m_pixmap.size()) * scale;
        resize(std::max(1, qRound(size.width())), std::max(1, qRound(size.height())));
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override {
        if (m_pixmap.isNull())
            return;
        QPainter painter(this);
        // Smooth when shrinking or mildly enlarging; from 200 % on, sharp pixels are what one zooms in to see.
        painter.setRenderHint(QPainter::SmoothPixmapTransform, m_scale * devicePixelRatioF() < 2.0);
        painter.drawPixmap(rect(), m_pixmap);
    }

private:
    QPixmap m_pixmap;
    double m_scale = 1.0;
};

ZoomableImageView::ZoomableImageView(QWidget* parent)
    : QScrollArea(parent)
    , m_canvas(new Canvas(this)) {
    setWidgetResizable(false);
    setAlignment(Qt::AlignCenter);
    setFrameShape(QFrame::NoFrame);
    setBackgroundRole(QPalette::Dark);
    setWidget(m_canvas);
}

QWidget* ZoomableImageView::canvas() const {
    return m_canvas;
}

void ZoomableImageView::setImage(const QImage& image) {
    m_image = image;
    m_canvas->setPixmap(image.isNull() ? QPixmap() : QPixmap::fromImage(image));
    apply();
}

void ZoomableImageView::zoomIn() {
    setZoom(m_zoom * kZoomStep);
}

void ZoomableImageView::zoomOut() {
    setZoom(m_zoom / kZoomStep);
}

void ZoomableImageView::zoomToFit() {
    m_fit = true;
    apply();
}

void ZoomableImageView::zoomToActualSize() {
    setZoom(1.0);
}

void ZoomableImageView::setZoom(double zoom, QPoint anchor) {
    m_fit = false;
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    apply(anchor);
}

double ZoomableImageView::fitZoom() const {
    if (m_image.isNull())
        return 1.0;
    // maximumViewportSize: the room without scroll bars, which a fitted image does not need.
    const QSizeF room = QSizeF(maximumViewportSize()) * devicePixelRatioF();
    const double scale = std::min(room.width() / m_image.width(), room.height() / m_image.height());
    // Never enlarged past 100 %: a small image stays sharp.
    return std::min(scale, 1.0);
}

void ZoomableImageView::apply(QPoint anchor) {
    if (m_fit)
        m_zoom = fitZoom();
    // The image point under `anchor` stays under it.
    if (anchor.x() < 0)
        anchor = viewport()->rect().center();
    const QSize before = m_canvas->size();
    const QPointF at = m_canvas->mapFrom(viewport(), anchor);
    const QPointF fraction(before.width() > 1 ? at.x() / before.width() : 0.5,
                           before.height() > 1 ? at.y() / before.height() : 0.5);
    // 100 % is one image pixel per device pixel.
    m_canvas->setScale(m_zoom / devicePixelRatioF());
    const QSize after = m_canvas->size();
    horizontalScrollBar()->setValue(qRound(fraction.x() * after.width() - anchor.x()));
    verticalScrollBar()->setValue(qRound(fraction.y() * after.height() - anchor.y()));
    Q_EMIT zoomChanged(m_zoom);
}

void ZoomableImageView::resizeEvent(QResizeEvent* event) {
    QScrollArea::resizeEvent(event);
    if (m_fit)
        apply();
}

void ZoomableImageView::wheelEvent(QWheelEvent* event) {
    if (!(event->modifiers() & Qt::ControlModifier) || m_image.isNull()) {
        QScrollArea::wheelEvent(event);
        return;
    }
    // 120 units per notch; touchpads send less at a time, which adds up to notches.
    m_wheel += event->angleDelta().y();
    const int steps = m_wheel / 120;
    m_wheel -= steps * 120;
    if (steps != 0)
        setZoom(m_zoom * std::pow(kZoomStep, steps), event->position().toPoint());
    event->accept();
}

bool ZoomableImageView::canPan() const {
    return horizontalScrollBar()->maximum() > 0 || verticalScrollBar()->maximum() > 0;
}

void ZoomableImageView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !canPan())
        return QScrollArea::mousePressEvent(event);
    m_dragFrom = event->position().toPoint();
    viewport()->setCursor(Qt::ClosedHandCursor);
}

void ZoomableImageView::mouseMoveEvent(QMouseEvent* event) {
    if (m_dragFrom.x() < 0)
        return QScrollArea::mouseMoveEvent(event);
    const QPoint now = event->position().toPoint();
    const QPoint moved = now - m_dragFrom;
    m_dragFrom = now;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - moved.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() - moved.y());
}

void ZoomableImageView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_dragFrom.x() < 0)
        return QScrollArea::mouseReleaseEvent(event);
    m_dragFrom = QPoint(-1, -1);
    viewport()->unsetCursor();
}

} // namespace zimage::ui
