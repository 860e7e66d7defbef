#pragma once
// A widget that paints one image as large as fits, keeping its aspect ratio, centred, never enlarged past 2x (a
// 128 px fixture image should not turn into a blur the size of the window). Used by the result view for the live
// preview and the finished image.

#include <QImage>
#include <QString>
#include <QWidget>

namespace zimage::ui {

class ImageCanvas : public QWidget {
    Q_OBJECT

public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    void setImage(const QImage& image);
    const QImage& image() const { return m_image; }
    // Shown centred when there is no image.
    void setPlaceholderText(const QString& text);
    // Drawn dimmed with this caption in a corner: a preview, not the result.
    void setCaption(const QString& caption);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QRect imageRect() const;

    QImage m_image;
    QString m_placeholder;
    QString m_caption;
};

} // namespace zimage::ui
