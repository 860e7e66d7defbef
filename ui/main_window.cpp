#include "main_window.h"

#include "engine_worker.h"
#include "first_run_page.h"
#include "gallery_files.h"
#include "gallery_panel.h"
#include "generation_form.h"
#include "history_panel.h"
#include "history_store.h"
#include "image_saver.h"
#include "image_viewer.h"
#include "memory_monitor.h"
#include "memory_status_widget.h"
#include "result_view.h"
#include "settings_dialog.h"
#include "thumbnail_cache.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QThreadPool>
#include <QUrl>

namespace zimage::ui {

namespace {

constexpr int kStatusMessageMs = 5000;

// A dropped or opened file the parameters can come from.
bool isImageFile(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return galleryImageSuffixes().contains(suffix);
}

QString stageText(Stage stage) {
    switch (stage) {
    case Stage::Loading:
        return MainWindow::tr("Loading the model…");
    case Stage::EncodingText:
        return MainWindow::tr("Reading the prompt…");
    case Stage::Denoising:
        return MainWindow::tr("Denoising…");
    case Stage::Decoding:
        return MainWindow::tr("Decoding the image…");
    case Stage::Finished:
        return MainWindow::tr("Finished");
    }
    return {};
}

// "cuda:0 (NVIDIA H200)" -> Cuda; what the engine reports back as the device it opened.
DeviceChoice deviceOf(const QString& deviceName) {
    return deviceName.startsWith(QLatin1String("cuda")) ? DeviceChoice::Cuda : DeviceChoice::Cpu;
}

} // namespace

QString MainWindow::modelFolder() const {
    return m_startup.modelFolder.isEmpty() ? m_settings.modelFolder() : m_startup.modelFolder;
}

QString MainWindow::outputFolder() const {
    return m_startup.outputFolder.isEmpty() ? m_settings.outputFolder() : m_startup.outputFolder;
}

QString MainWindow::dataFolder() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/zimage-studio");
}

MainWindow::MainWindow(AppSettings& settings, const StartupOptions& startup, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_startup(startup)
    , m_history(std::make_unique<HistoryStore>(dataFolder()))
    , m_thumbnails(std::make_unique<ThumbnailCache>(ThumbnailCache::defaultDiskCacheFolder())) {
    setWindowTitle(tr("Z-Image Studio"));
    setAcceptDrops(true);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);
    buildCreateTab();

    m_gallery = new GalleryPanel(*m_thumbnails, outputFolder(), m_tabs);
    m_gallery->setObjectName(QStringLiteral("galleryPanel"));
    m_tabs->addTab(m_gallery, tr("Gallery"));
    connect(m_gallery, &GalleryPanel::parametersRequested, this,
            [this](const output::ImportedParameters& imported, const QString& path) {
                applyImported(imported, QFileInfo(path).fileName());
                m_tabs->setCurrentIndex(0);
            });
    connect(m_gallery, &GalleryPanel::statusMessage, this,
            [this](const QString& text) { statusBar()->showMessage(text, kStatusMessageMs); });

    const bool historyOpen = m_history->open();
    m_historyPanel = new HistoryPanel(*m_history, *m_thumbnails, m_tabs);
    m_historyPanel->setObjectName(QStringLiteral("historyPanel"));
    m_tabs->addTab(m_historyPanel, tr("History"));
    connect(m_historyPanel, &HistoryPanel::reproduceRequested, this, &MainWindow::reproduce);
    connect(m_historyPanel, &HistoryPanel::regenerateRequested, this, &MainWindow::regenerate);
    connect(m_historyPanel, &HistoryPanel::openImageRequested, this, [this](const QString& path) {
        // The viewer pages through the gallery's folder; an image saved elsewhere (the output folder changed since)
        // opens in the system's viewer instead.
        if (!m_gallery->openImage(path) && !QDesktopServices::openUrl(QUrl::fromLocalFile(path)))
            statusBar()->showMessage(tr("Could not open %1.").arg(QDir::toNativeSeparators(path)), kStatusMessageMs);
    });
    connect(m_historyPanel, &HistoryPanel::statusMessage, this,
            [this](const QString& text) { statusBar()->showMessage(text, kStatusMessageMs); });

    buildMenus();
    buildStatusBar();
    if (!historyOpen)
        m_resultView->showMessage(ResultView::Severity::Warning, tr("The history is not available"),
                                  m_history->errorString());

    m_worker = new EngineWorker();
    connectWorker();
    m_worker->setPreviewOptions({m_settings.previewEnabled(), 250, 512});

    restoreGeometry(m_settings.windowGeometry());
    restoreState(m_settings.windowState());
    openModel();
    for (const auto& image : m_startup.images)
        restoreParametersFrom(image);
}

MainWindow::~MainWindow() {
    // Cancels the running job and joins the engine's thread (engine_worker.h).
    delete m_worker;
    // The panels use the thumbnail cache and the history store, which are members: the panels go first.
    delete m_tabs;
}

void MainWindow::buildCreateTab() {
    m_form = new GenerationForm;
    m_form->setContentsMargins(8, 4, 4, 8);
    m_form->setDefaultNoiseSource(m_settings.noiseSource());
    m_resultView = new ResultView;
    connect(m_form, &GenerationForm::generateRequested, this, &MainWindow::startFromForm);
    connect(m_form, &GenerationForm::cancelRequested, this, &MainWindow::cancelJob);
    connect(m_resultView, &ResultView::statusMessage, this,
            [this](const QString& text) { statusBar()->showMessage(text, kStatusMessageMs); });

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(QStringLiteral("createSplitter"));
    splitter->addWidget(m_form);
    splitter->addWidget(m_resultView);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    m_createPage = splitter;

    m_firstRun = new FirstRunPage;
    connect(m_firstRun, &FirstRunPage::modelFolderChosen, this, [this](const QString& folder) {
        m_settings.setModelFolder(folder);
        m_settings.sync();
        m_startup.modelFolder.clear();
        openModel();
    });
    // "Search again" found a model in a default place: auto-detection will find it too.
    connect(m_firstRun, &FirstRunPage::modelFound, this, [this] { openModel(); });

    m_createStack = new QStackedWidget;
    m_createStack->addWidget(m_createPage);
    m_createStack->addWidget(m_firstRun);
    m_tabs->addTab(m_createStack, tr("Create"));
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Image…"), this, &MainWindow::openImageDialog);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Restore the parameters stored in an image"));
    QAction* saveAs = file->addAction(tr("Save Image &As…"), this, [this] {
        if (auto* button = m_resultView->findChild<QWidget*>(QStringLiteral("saveAsButton"));
            button && button->isEnabled())
            QMetaObject::invokeMethod(button, "click");
    });
    saveAs->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QAction* settings = file->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    settings->setShortcut(QKeySequence::Preferences);
    settings->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList tabs{tr("&Create"), tr("&Gallery"), tr("&History")};
    for (int i = 0; i < tabs.size(); ++i) {
        QAction* action = view->addAction(tabs[i], this, [this, i] { m_tabs->setCurrentIndex(i); });
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Z-Image Studio"), this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar() {
    m_modelLabel = new QLabel(this);
    m_modelLabel->setObjectName(QStringLiteral("modelLabel"));
    // A busy bar while the model loads: loading reports no fractions, only that it is under way.
    m_loadingBar = new QProgressBar(this);
    m_loadingBar->setObjectName(QStringLiteral("modelLoadingBar"));
    m_loadingBar->setRange(0, 0);
    m_loadingBar->setMaximumWidth(120);
    m_loadingBar->setMaximumHeight(14);
    m_loadingBar->hide();
    statusBar()->addPermanentWidget(m_loadingBar);
    statusBar()->addPermanentWidget(m_modelLabel);
    m_memoryStatus = new MemoryStatusWidget(this);
    statusBar()->addPermanentWidget(m_memoryStatus);
    m_memoryMonitor = new MemoryMonitor(m_settings.engineOptions().cudaDevice, this);
    m_memoryStatus->setMonitor(m_memoryMonitor);
    m_memoryMonitor->start();
}

void MainWindow::connectWorker() {
    connect(m_worker, &EngineWorker::modelLoading, this, [this](const QString& location) {
        m_modelReady = false;
        m_loadingBar->show();
        updateModelLabel(location.isEmpty() ? tr("Looking for the model…")
                                            : tr("Loading the model from %1…").arg(QDir::toNativeSeparators(location)));
    });
    connect(m_worker, &EngineWorker::modelReady, this,
            [this](const QString& name, const QString& device, const QString& precision) {
                m_modelReady = true;
                m_loadingBar->hide();
                m_modelName = name;
                m_modelDevice = deviceOf(device);
                parsePrecision(precision.toStdString(), m_modelPrecision);
                m_createStack->setCurrentWidget(m_createPage);
                m_form->setModelReady(true);
                updateModelLabel(tr("%1 · %2 · %3").arg(name, device, precision));
                statusBar()->showMessage(tr("The model is ready."), kStatusMessageMs);
            });
    connect(m_worker, &EngineWorker::modelFailed, this,
            [this](const QString& title, const QString& message, const QString& hint) {
                m_modelReady = false;
                m_loadingBar->hide();
                m_form->setModelReady(false);
                updateModelLabel(tr("No model"));
                if (modelFolder().isEmpty()) {
                    showFirstRun(message);
                    return;
                }
                m_createStack->setCurrentWidget(m_createPage);
                m_resultView->showMessage(ResultView::Severity::Error, title, message,
                                          hint.isEmpty() ? tr("Choose the model's folder in File › Settings.") : hint);
            });
    connect(m_worker, &EngineWorker::jobStarted, this, [this](quint64 jobId) {
        if (jobId == m_runningJob)
            m_resultView->setStage(tr("Starting…"));
    });
    connect(m_worker, &EngineWorker::jobPlanned, this, [this](quint64 jobId, const MemoryPlan& plan) {
        if (jobId != m_runningJob)
            return;
        m_memoryStatus->setPlan(plan, true);
    });
    connect(m_worker, &EngineWorker::stageChanged, this,
            [this](quint64 jobId, Stage stage, const QString&, const MemoryStats& memory) {
                m_memoryMonitor->addSample(memory);
                if (jobId == EngineWorker::kLoadingJobId)
                    return;
                if (jobId == m_runningJob)
                    m_resultView->setStage(stageText(stage));
            });
    connect(m_worker, &EngineWorker::stepProgress, this,
            [this](quint64 jobId, int step, int steps, double elapsedMs, double remainingMs, const QImage& preview) {
                if (jobId == m_runningJob)
                    m_resultView->setStep(step, steps, elapsedMs, remainingMs, preview);
            });
    connect(m_worker, &EngineWorker::jobFinished, this, &MainWindow::onJobFinished);
    connect(m_worker, &EngineWorker::jobFailed, this, &MainWindow::onJobFailed);
    connect(m_worker, &EngineWorker::jobCancelled, this, &MainWindow::onJobCancelled);
    connect(m_worker, &EngineWorker::memoryOptionsRejected, this, [this](const QString& message) {
        m_resultView->showMessage(ResultView::Severity::Error, tr("The memory settings were not applied"), message,
                                  tr("Change them in File › Settings."));
    });
}

void MainWindow::openModel() {
    m_modelReady = false;
    m_form->setModelReady(false);
    const QString folder = modelFolder();
    const EngineOptions options = m_settings.engineOptions();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, folder, options] { worker->openModel(folder, options); }, Qt::QueuedConnection);
}

void MainWindow::showFirstRun(const QString& problem) {
    m_firstRun->setProblem(problem);
    m_createStack->setCurrentWidget(m_firstRun);
    m_tabs->setCurrentIndex(0);
}

void MainWindow::updateModelLabel(const QString& text) {
    m_modelLabel->setText(text);
}

void MainWindow::startFromForm() {
    if (isBusy() || !m_form->isValid())
        return;
    m_regenerating.reset();
    generateRequest(m_form->takeRequest());
}

void MainWindow::generateRequest(GenerationRequest request) {
    if (!m_modelReady) {
        m_resultView->showMessage(ResultView::Severity::Info, tr("The model is not ready"),
                                  tr("Wait until the model has loaded, or choose its folder in File › Settings."));
        return;
    }
    if (isBusy())
        return;
    // The engine runs one device and precision, the ones it was opened with.
    request.device = m_modelDevice;
    request.precision = m_modelPrecision;
    const quint64 jobId = m_nextJobId++;
    setJobRunning(jobId);
    m_resultView->beginJob(request.sigmas.empty() ? request.steps : static_cast<int>(request.sigmas.size()) - 1,
                           static_cast<int>(request.prompts.size()));
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, request, jobId] { worker->generate(request, jobId); }, Qt::QueuedConnection);
}

void MainWindow::setJobRunning(quint64 jobId) {
    m_runningJob = jobId;
    m_form->setBusy(jobId != 0);
    if (jobId == 0)
        m_memoryStatus->markPlanFinished();
}

void MainWindow::cancelJob() {
    if (m_runningJob != 0)
        m_worker->cancel(m_runningJob);
}

void MainWindow::onJobFinished(quint64 jobId, const JobResult& job) {
    if (jobId != m_runningJob)
        return;
    m_resultView->setStage(tr("Saving…"));
    m_form->setLastSeed(job.result.request.seed);
    // Written off the GUI thread; the history is recorded on it once the files are in place.
    const QString folder = outputFolder();
    const QString model = m_modelName;
    QPointer<MainWindow> self(this);
    QThreadPool::globalInstance()->start([self, job, folder, model] {
        const SavedImages saved = saveJobImages(job, folder, model);
        QMetaObject::invokeMethod(
            qApp,
            [self, job, saved] {
                if (self)
                    self->recordSaved(job, saved.paths, saved.error);
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::recordSaved(const JobResult& job, const QStringList& paths, const QString& error) {
    QString historyError;
    for (int i = 0; i < paths.size(); ++i) {
        const auto entry = HistoryEntry::fromResult(job.result, static_cast<std::size_t>(i), m_modelName, paths[i]);
        if (!m_history->isOpen() || !m_history->add(entry))
            historyError = m_history->errorString();
    }
    setJobRunning(0);
    m_resultView->showResult(job, paths, m_modelName);
    if (!error.isEmpty())
        m_resultView->showMessage(ResultView::Severity::Error, tr("The image was not saved"), error);
    else if (!historyError.isEmpty())
        m_resultView->showMessage(ResultView::Severity::Warning, tr("The image was saved but not added to the history"),
                                  historyError);
    if (m_regenerating && !job.images.isEmpty()) {
        // "Regenerate" promises the same pixels: say so when the engine is not the one that made the original.
        const HistoryEntry& original = *m_regenerating;
        const QString device = QString::fromStdString(job.result.deviceName);
        const QString precision = QString::fromUtf8(precisionName(job.result.request.precision).data());
        if (original.precision != precision || deviceOf(original.device) != deviceOf(device))
            m_resultView->showMessage(
                ResultView::Severity::Info, tr("Made on a different device or precision"),
                tr("The original was made with %1 on %2; this one with %3 on %4, so the pixels can differ slightly.")
                    .arg(original.precision, original.device, precision, device));
    }
    m_regenerating.reset();
    statusBar()->showMessage(paths.isEmpty() ? tr("Finished; nothing was saved.")
                                             : tr("Saved %n image(s) to %1.", nullptr, static_cast<int>(paths.size()))
                                                   .arg(QDir::toNativeSeparators(outputFolder())),
                             kStatusMessageMs);
    Q_EMIT jobSaved(paths);
}

void MainWindow::onJobFailed(quint64 jobId, ErrorCode code, const QString& message, const QString& hint) {
    if (jobId != m_runningJob)
        return;
    setJobRunning(0);
    m_regenerating.reset();
    m_resultView->endJob();
    QString title;
    switch (code) {
    case ErrorCode::InvalidInput:
        title = tr("The settings of this image are not valid");
        break;
    case ErrorCode::OutOfMemory:
        title = tr("Not enough memory, even with a smaller memory plan");
        break;
    case ErrorCode::ModelFiles:
        title = tr("The model files could not be used");
        break;
    case ErrorCode::Device:
        title = tr("The device failed");
        break;
    default:
        title = tr("The image could not be generated");
        break;
    }
    m_resultView->showMessage(ResultView::Severity::Error, title, message, hint);
}

void MainWindow::onJobCancelled(quint64 jobId) {
    if (jobId != m_runningJob)
        return;
    setJobRunning(0);
    m_regenerating.reset();
    m_resultView->showCancelled();
}

void MainWindow::reproduce(const HistoryEntry& entry) {
    m_form->setRequest(entry.request);
    m_tabs->setCurrentIndex(0);
    statusBar()->showMessage(tr("Parameters restored from the history (seed %1).").arg(entry.seedText()),
                             kStatusMessageMs);
}

void MainWindow::regenerate(const HistoryEntry& entry) {
    if (isBusy()) {
        statusBar()->showMessage(tr("Wait for the running generation to finish, or cancel it."), kStatusMessageMs);
        return;
    }
    m_form->setRequest(entry.request);
    m_tabs->setCurrentIndex(0);
    m_regenerating = entry;
    generateRequest(entry.request);
}

void MainWindow::restoreParametersFrom(const QString& imagePath) {
    QPointer<MainWindow> self(this);
    QThreadPool::globalInstance()->start([self, imagePath] {
        const ImageParameters parameters = readImageParameters(imagePath);
        QMetaObject::invokeMethod(
            qApp,
            [self, parameters, imagePath] {
                if (!self)
                    return;
                if (!parameters.ok) {
                    self->m_resultView->showMessage(ResultView::Severity::Error, tr("No parameters restored"),
                                                    parameters.error);
                    Q_EMIT self->parametersRestored(false);
                    return;
                }
                self->applyImported(parameters.imported, QFileInfo(imagePath).fileName());
                Q_EMIT self->parametersRestored(true);
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::applyImported(const output::ImportedParameters& imported, const QString& fileName) {
    m_form->setRequest(imported.request);
    m_tabs->setCurrentIndex(0);
    // What Z-Image does not use stays visible, so nothing of the file's parameters is silently dropped.
    QStringList lines;
    if (!imported.sampler.empty())
        lines << tr("Sampler: %1 (Z-Image-Turbo always uses its Euler flow sampler)")
                     .arg(QString::fromStdString(imported.sampler));
    if (!imported.modelName.empty())
        lines << tr("Model: %1").arg(QString::fromStdString(imported.modelName));
    for (const auto& field : imported.unknownFields)
        lines << (field.key.empty()
                      ? QString::fromStdString(field.value)
                      : tr("%1: %2").arg(QString::fromStdString(field.key), QString::fromStdString(field.value)));
    for (const auto& problem : imported.problems)
        lines << tr("Not restored: %1").arg(QString::fromStdString(problem));
    for (const auto& warning : imported.warnings)
        lines << QString::fromStdString(warning);
    const QString source = imported.source == output::ParametersSource::ZimageJson
                               ? tr("Parameters restored from %1.").arg(fileName)
                               : tr("Parameters restored from %1 (its “parameters” text).").arg(fileName);
    if (lines.isEmpty()) {
        m_resultView->clearMessage();
        statusBar()->showMessage(source, kStatusMessageMs);
    } else {
        m_resultView->showMessage(ResultView::Severity::Info, source,
                                  tr("Also in the file:") + QLatin1Char('\n') + lines.join(QLatin1Char('\n')));
    }
}

void MainWindow::openImageDialog() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Image"), outputFolder(), tr("Images (*.png *.jpg *.jpeg *.webp)"));
    if (!path.isEmpty())
        restoreParametersFrom(path);
}

void MainWindow::openSettings() {
    SettingsDialog dialog(m_settings, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    applySettingsChanges(dialog.changes());
}

void MainWindow::applySettingsChanges(SettingsChanges changes) {
    if (changes.testFlag(SettingsChange::NoiseSource))
        m_form->setDefaultNoiseSource(m_settings.noiseSource());
    // What the user chose in the settings replaces the command line's choice for the rest of the session.
    if (changes.testFlag(SettingsChange::OutputFolder)) {
        m_startup.outputFolder.clear();
        m_gallery->setFolder(outputFolder());
    }
    if (changes.testFlag(SettingsChange::ModelReload))
        m_startup.modelFolder.clear();
    if (changes.testFlag(SettingsChange::Preview)) {
        auto options = m_worker->previewOptions();
        options.enabled = m_settings.previewEnabled();
        m_worker->setPreviewOptions(options);
    }
    if (changes.testFlag(SettingsChange::ModelReload)) {
        if (isBusy())
            cancelJob();
        openModel();
    } else if (changes.testFlag(SettingsChange::MemoryOptions)) {
        const MemoryOptions options = m_settings.memoryOptions();
        QMetaObject::invokeMethod(
            m_worker, [worker = m_worker, options] { worker->setMemoryOptions(options); }, Qt::QueuedConnection);
    }
    if (changes.testFlag(SettingsChange::Language))
        statusBar()->showMessage(tr("The language changes when Z-Image Studio is started again."), kStatusMessageMs);
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About Z-Image Studio"),
        tr("<h3>Z-Image Studio %1</h3><p>Generate images on your own computer with Z-Image-Turbo.</p>"
           "<p>Images, settings and history stay on this computer. The history and the generation "
           "log are in %2.</p>")
            .arg(QStringLiteral(ZIMAGE_VERSION), QDir::toNativeSeparators(dataFolder()).toHtmlEscaped()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    m_settings.sync();
    cancelJob();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile() && isImageFile(urls.first().toLocalFile()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    restoreParametersFrom(urls.first().toLocalFile());
}

} // namespace zimage::ui
