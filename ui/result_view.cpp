#include "result_view.h"

#include "image_canvas.h"
#include "image_saver.h"
#include "output/generation_metadata.h"
#include "output/image_file.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QStyle>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <exception>

namespace zimage::ui {

namespace {

QString seconds(double ms) {
    return QString::number(ms / 1000.0, 'f', ms < 10000.0 ? 1 : 0);
}

} // namespace

ResultView::ResultView(QWidget* parent)
    : QWidget(parent)
    , m_canvas(new ImageCanvas(this))
    , m_batchStrip(new QListWidget(this))
    , m_progressRow(new QWidget(this))
    , m_stageLabel(new QLabel(m_progressRow))
    , m_progress(new QProgressBar(m_progressRow))
    , m_timeLabel(new QLabel(m_progressRow))
    , m_messageFrame(new QFrame(this))
    , m_messageTitle(new QLabel(m_messageFrame))
    , m_messageText(new QLabel(m_messageFrame))
    , m_infoLabel(new QLabel(this))
    , m_copyImageButton(new QPushButton(tr("Copy Image"), this))
    , m_copyParametersButton(new QPushButton(tr("Copy Parameters"), this))
    , m_saveAsButton(new QPushButton(tr("Save As…"), this))
    , m_elapsedTimer(new QTimer(this)) {
    m_canvas->setObjectName(QStringLiteral("resultCanvas"));
    m_canvas->setPlaceholderText(tr("Your image appears here.\nType a prompt and press Generate (Ctrl+Enter)."));

    m_batchStrip->setObjectName(QStringLiteral("batchStrip"));
    m_batchStrip->setViewMode(QListView::IconMode);
    m_batchStrip->setFlow(QListView::LeftToRight);
    m_batchStrip->setWrapping(false);
    m_batchStrip->setIconSize(QSize(72, 72));
    m_batchStrip->setFixedHeight(100);
    m_batchStrip->setMovement(QListView::Static);
    m_batchStrip->hide();
    connect(m_batchStrip, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0)
            setCurrentIndex(row);
    });

    m_progressRow->setObjectName(QStringLiteral("progressRow"));
    m_stageLabel->setObjectName(QStringLiteral("stageLabel"));
    m_progress->setObjectName(QStringLiteral("stepProgress"));
    m_progress->setTextVisible(true);
    m_timeLabel->setObjectName(QStringLiteral("timeLabel"));
    auto* progressLayout = new QHBoxLayout(m_progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    progressLayout->addWidget(m_stageLabel);
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(m_timeLabel);
    m_progressRow->hide();

    m_messageFrame->setObjectName(QStringLiteral("messageFrame"));
    m_messageFrame->setFrameShape(QFrame::StyledPanel);
    m_messageFrame->setAutoFillBackground(true);
    m_messageTitle->setObjectName(QStringLiteral("messageTitle"));
    m_messageText->setObjectName(QStringLiteral("messageText"));
    m_messageText->setWordWrap(true);
    m_messageText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont titleFont = m_messageTitle->font();
    titleFont.setBold(true);
    m_messageTitle->setFont(titleFont);
    auto* closeMessage = new QToolButton(m_messageFrame);
    closeMessage->setAutoRaise(true);
    closeMessage->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    closeMessage->setToolTip(tr("Dismiss"));
    connect(closeMessage, &QToolButton::clicked, this, &ResultView::clearMessage);
    auto* messageLayout = new QGridLayout(m_messageFrame);
    messageLayout->addWidget(m_messageTitle, 0, 0);
    messageLayout->addWidget(closeMessage, 0, 1, Qt::AlignRight | Qt::AlignTop);
    messageLayout->addWidget(m_messageText, 1, 0, 1, 2);
    m_messageFrame->hide();

    m_infoLabel->setObjectName(QStringLiteral("resultInfo"));
    m_infoLabel->setWordWrap(true);
    m_infoLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_copyImageButton->setObjectName(QStringLiteral("copyImageButton"));
    m_copyParametersButton->setObjectName(QStringLiteral("copyParametersButton"));
    m_saveAsButton->setObjectName(QStringLiteral("saveAsButton"));
    connect(m_copyImageButton, &QPushButton::clicked, this, &ResultView::copyImage);
    connect(m_copyParametersButton, &QPushButton::clicked, this, &ResultView::copyParameters);
    connect(m_saveAsButton, &QPushButton::clicked, this, &ResultView::saveAs);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_infoLabel, 1);
    actions->addWidget(m_copyImageButton);
    actions->addWidget(m_copyParametersButton);
    actions->addWidget(m_saveAsButton);
    setActionsEnabled(false);

    m_elapsedTimer->setInterval(200);
    connect(m_elapsedTimer, &QTimer::timeout, this, &ResultView::updateElapsed);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_messageFrame);
    layout->addWidget(m_canvas, 1);
    layout->addWidget(m_batchStrip);
    layout->addWidget(m_progressRow);
    layout->addLayout(actions);
}

void ResultView::beginJob(int steps, int imageCount) {
    clearMessage();
    m_running = true;
    m_clock.start();
    m_remainingMs = 0.0;
    m_stageLabel->clear();
    m_progress->setRange(0, steps);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Step %v of %m"));
    m_progressRow->show();
    m_infoLabel->setText(imageCount > 1 ? tr("Generating %n images…", nullptr, imageCount) : tr("Generating…"));
    setActionsEnabled(false);
    updateElapsed();
    m_elapsedTimer->start();
}

void ResultView::setStage(const QString& text) {
    m_stageLabel->setText(text);
}

void ResultView::setStep(int step, int steps, double elapsedMs, double remainingMs, const QImage& preview) {
    Q_UNUSED(elapsedMs);
    m_progress->setRange(0, steps);
    m_progress->setValue(step);
    m_remainingMs = remainingMs;
    m_remainingAtMs = static_cast<double>(m_clock.elapsed());
    if (!preview.isNull()) {
        m_canvas->setImage(preview);
        m_canvas->setCaption(tr("Preview · step %1 of %2").arg(step).arg(steps));
    }
    updateElapsed();
}

void ResultView::updateElapsed() {
    if (!m_running)
        return;
    const double elapsed = static_cast<double>(m_clock.elapsed());
    // Counts the estimate down between steps, so the figure moves smoothly; never below zero.
    const double remaining = std::max(0.0, m_remainingMs - (elapsed - m_remainingAtMs));
    if (m_remainingMs > 0.0)
        m_timeLabel->setText(tr("%1 s elapsed · about %2 s left").arg(seconds(elapsed), seconds(remaining)));
    else
        m_timeLabel->setText(tr("%1 s elapsed").arg(seconds(elapsed)));
}

void ResultView::endJob() {
    m_running = false;
    m_elapsedTimer->stop();
    m_progressRow->hide();
    m_canvas->setCaption({});
    if (hasResult())
        m_canvas->setImage(currentImage());
    else
        m_canvas->setImage({});
    updateInfo();
    setActionsEnabled(hasResult());
}

void ResultView::showResult(const JobResult& job, const QStringList& savedPaths, const QString& modelName) {
    m_job = job;
    m_savedPaths = savedPaths;
    m_modelName = modelName;
    m_current = 0;
    m_running = false;
    m_batchStrip->blockSignals(true);
    m_batchStrip->clear();
    for (int i = 0; i < m_job.images.size(); ++i) {
        auto* item = new QListWidgetItem(
            QIcon(QPixmap::fromImage(m_job.images[i].scaled(144, 144, Qt::KeepAspectRatio, Qt::SmoothTransformation))),
            QString::number(m_job.result.images[static_cast<std::size_t>(i)].seed));
        m_batchStrip->addItem(item);
    }
    m_batchStrip->setCurrentRow(0);
    m_batchStrip->blockSignals(false);
    m_batchStrip->setVisible(m_job.images.size() > 1);
    endJob();
    for (const auto& warning : m_job.warnings)
        showMessage(Severity::Warning, tr("Finished with a warning"), warning);
}

void ResultView::showCancelled() {
    endJob();
    showMessage(Severity::Info, tr("Cancelled"), tr("The generation was cancelled; nothing was saved."));
}

void ResultView::setCurrentIndex(int index) {
    if (index < 0 || index >= m_job.images.size())
        return;
    m_current = index;
    if (!m_running) {
        m_canvas->setCaption({});
        m_canvas->setImage(m_job.images[index]);
    }
    if (m_batchStrip->currentRow() != index)
        m_batchStrip->setCurrentRow(index);
    updateInfo();
}

QImage ResultView::currentImage() const {
    return hasResult() ? m_job.images.value(m_current) : QImage();
}

QString ResultView::currentParameters() const {
    if (!hasResult())
        return {};
    return QString::fromStdString(
        output::a1111Parameters(m_job.result.request, static_cast<std::size_t>(m_current), m_modelName.toStdString()));
}

void ResultView::updateInfo() {
    if (!hasResult()) {
        m_infoLabel->clear();
        return;
    }
    const auto& result = m_job.result;
    const auto& image = result.images[static_cast<std::size_t>(m_current)];
    const auto& request = result.request;
    QString text = tr("Seed %1 · %2 steps · %3 × %4 · guidance %5")
                       .arg(QString::number(image.seed))
                       .arg(request.sigmas.empty() ? request.steps : static_cast<int>(request.sigmas.size()) - 1)
                       .arg(image.width)
                       .arg(image.height)
                       .arg(request.guidance);
    text += QLatin1Char('\n') + tr("%1 s on %2 (%3)")
                                    .arg(seconds(result.timings.totalMs), QString::fromStdString(result.deviceName),
                                         QString::fromUtf8(precisionName(request.precision).data()));
    if (m_current < m_savedPaths.size())
        text += QLatin1Char('\n') + QFileInfo(m_savedPaths[m_current]).fileName();
    else
        text += QLatin1Char('\n') + tr("Not saved");
    m_infoLabel->setText(text);
}

void ResultView::setActionsEnabled(bool enabled) {
    m_copyImageButton->setEnabled(enabled);
    m_copyParametersButton->setEnabled(enabled);
    m_saveAsButton->setEnabled(enabled);
}

void ResultView::showMessage(Severity severity, const QString& title, const QString& message, const QString& hint) {
    QPalette palette = m_messageFrame->palette();
    const QColor tint = severity == Severity::Error     ? QColor(220, 53, 69)
                        : severity == Severity::Warning ? QColor(230, 160, 20)
                                                        : palette.color(QPalette::Highlight);
    palette.setColor(QPalette::Window, tint.lighter(185));
    palette.setColor(QPalette::WindowText, Qt::black);
    m_messageFrame->setPalette(palette);
    m_messageTitle->setText(title);
    m_messageText->setText(hint.isEmpty() ? message : message + QStringLiteral("\n\n") + hint);
    m_messageFrame->setAccessibleName(title);
    m_messageFrame->show();
}

void ResultView::clearMessage() {
    m_messageFrame->hide();
}

void ResultView::copyImage() {
    if (!hasResult())
        return;
    QApplication::clipboard()->setImage(currentImage());
    Q_EMIT statusMessage(tr("Image copied to the clipboard."));
}

void ResultView::copyParameters() {
    if (!hasResult())
        return;
    QApplication::clipboard()->setText(currentParameters());
    Q_EMIT statusMessage(tr("Parameters copied to the clipboard."));
}

void ResultView::saveAs() {
    if (!hasResult())
        return;
    const auto index = static_cast<std::size_t>(m_current);
    const QString suggested = m_current < m_savedPaths.size()
                                  ? QFileInfo(m_savedPaths[m_current]).fileName()
                                  : QStringLiteral("zimage-%1.png").arg(m_job.result.images[index].seed);
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    QString path = QFileDialog::getSaveFileName(this, tr("Save Image As"), folder + QLatin1Char('/') + suggested,
                                                tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        path += QLatin1String(".png");
    // Saved with the same metadata as the output folder's file, so the copy reproduces too. Encoding a large PNG takes
    // a while: off the GUI thread.
    auto png = std::make_shared<output::PngImage>(
        output::generatedPng(m_job.result, index, rgbBytes(currentImage()), m_modelName.toStdString(), ZIMAGE_VERSION));
    QPointer<ResultView> self(this);
    QThreadPool::globalInstance()->start([self, png, path] {
        QString message;
        try {
            output::writePng(path.toStdString(), *png);
            message = tr("Saved %1.").arg(QDir::toNativeSeparators(path));
        } catch (const std::exception& error) {
            message = tr("Could not save %1: %2").arg(QDir::toNativeSeparators(path), QString::fromUtf8(error.what()));
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, message] {
                if (self)
                    Q_EMIT self->statusMessage(message);
            },
            Qt::QueuedConnection);
    });
}

} // namespace zimage::ui
