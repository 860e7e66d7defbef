#pragma once
// One image in a scroll area, zoomed: fit to the window (the default; never enlarged past 100 %), 100 % (one image
// pixel per device pixel), or any scale between kMinZoom and kMaxZoom by steps. Ctrl+wheel zooms about the pointer,
// the wheel scrolls, and dragging pans an image larger than the window.

#include <QImage>
#include <QPixmap>
#include <QPoint>
#include <QScrollArea>

namespace zimage::ui {

class ZoomableImageView : public QScrollArea {
    Q_OBJECT

public:
    // One zoom step (keys, buttons, one notch of Ctrl+wheel) multiplies or divides the scale by this.
    static constexpr double kZoomStep = 1.25;
    static constexpr double kMinZoom = 0.05;
    static constexpr double kMaxZoom = 16.0;

    explicit ZoomableImageView(QWidget* parent = nullptr);

    // Shows `image` (null: nothing) at the current zoom mode: fitted when fitting, else at the same scale.
    void setImage(const QImage& image);
    QImage image() const { return m_image; }
    // The scale the image is drawn at (1 = 100 %), and whether it follows the window's size.
    double zoom() const { return m_zoom; }
    bool isFitToWindow() const { return m_fit; }
    // The widget the image is painted on (objectName "viewerImage").
    QWidget* canvas() const;

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void zoomToActualSize();
    // `anchor`: the viewport point that keeps showing the same image point; the viewport's centre when not given.
    void setZoom(double zoom, QPoint anchor = QPoint(-1, -1));

Q_SIGNALS:
    void zoomChanged(double zoom);

protected:
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    class Canvas;

    void apply(QPoint anchor = QPoint(-1, -1));
    double fitZoom() const;
    bool canPan() const;

    Canvas* m_canvas = nullptr;
    QImage m_image;
    bool m_fit = true;
    double m_zoom = 1.0;
    int m_wheel = 0;           // angle delta not yet turned into steps
    QPoint m_dragFrom{-1, -1}; // where the last drag event was; x < 0: not dragging
};

} // namespace zimage::ui
