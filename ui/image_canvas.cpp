#include "image_canvas.h"

#include <QPainter>
#include <QPalette>

namespace zimage::ui {

namespace {
constexpr double kMaxUpscale = 2.0;
}

ImageCanvas::ImageCanvas(QWidget* parent)
    : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

void ImageCanvas::setImage(const QImage& image) {
    m_image = image;
    update();
}

void ImageCanvas::setPlaceholderText(const QString& text) {
    m_placeholder = text;
    update();
}

void ImageCanvas::setCaption(const QString& caption) {
    m_caption = caption;
    update();
}

QSize ImageCanvas::sizeHint() const {
    return {640, 640};
}

QSize ImageCanvas::minimumSizeHint() const {
    return {160, 120};
}

QRect ImageCanvas::imageRect() const {
    if (m_image.isNull())
        return {};
    const QSizeF available = size();
    const double scale =
        std::min({available.width() / m_image.width(), available.height() / m_image.height(), kMaxUpscale});
    const QSize shown(qRound(m_image.width() * scale), qRound(m_image.height() * scale));
    return QRect(QPoint((width() - shown.width()) / 2, (height() - shown.height()) / 2), shown);
}

void ImageCanvas::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base).darker(104));
    if (m_image.isNull()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    const QRect target = imageRect();
    painter.drawImage(target, m_image);
    if (m_caption.isEmpty())
        return;
    // A preview: a caption chip in the corner, so it is never mistaken for the result.
    QFont font = painter.font();
    font.setBold(true);
    painter.setFont(font);
    const QRect chip = painter.fontMetrics().boundingRect(m_caption).adjusted(-8, -4, 8, 4);
    const QRect placed = chip.translated(target.topLeft() - chip.topLeft() + QPoint(8, 8));
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 150));
    painter.drawRoundedRect(placed, 4, 4);
    painter.setPen(Qt::white);
    painter.drawText(placed, Qt::AlignCenter, m_caption);
}

} // namespace zimage::ui
