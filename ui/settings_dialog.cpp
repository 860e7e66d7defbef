#include "settings_dialog.h"

#include "app_translations.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryFile>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <string_view>

namespace zimage::ui {
namespace {

constexpr double kMinBudgetGiB = 0.5; // MemoryOptions::validate()'s lower bound
constexpr double kMaxBudgetGiB = 4096.0;
constexpr int kTileStep = 64;

QString toQString(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString currentName(const QComboBox* box) {
    return box->currentData().toString();
}

void selectName(QComboBox* box, const QString& name) {
    box->setCurrentIndex(std::max(0, box->findData(name)));
}

template <typename Enum, typename Parse>
Enum parsedName(const QComboBox* box, Enum fallback, Parse parse) {
    Enum value = fallback;
    return parse(currentName(box).toStdString(), value) ? value : fallback;
}

// A budget MemoryOptions accepts: 0 (automatic) or at least kMinBudgetGiB.
double snapBudget(double gib) {
    return gib > 0.0 && gib < kMinBudgetGiB ? kMinBudgetGiB : gib;
}

// A tile size MemoryOptions accepts: 0 (from the budget) or a multiple of 64 in [kMinVaeTileSize, kMaxVaeTileSize].
int snapTileSize(int pixels) {
    if (pixels <= 0)
        return 0;
    const int rounded = static_cast<int>(std::lround(static_cast<double>(pixels) / kTileStep)) * kTileStep;
    return std::clamp(rounded, kMinVaeTileSize, kMaxVaeTileSize);
}

// A status line under a field; problems in a warning colour, so they stand out from what was found.
void setStatus(QLabel* label, const QString& text, bool problem) {
    label->setText(text);
    label->setProperty("problem", problem);
    QPalette palette = label->parentWidget() ? label->parentWidget()->palette() : label->palette();
    if (problem)
        palette.setColor(QPalette::WindowText, QColor(0xc0, 0x39, 0x2b));
    label->setPalette(palette);
}

QLabel* statusLabel(const QString& objectName) {
    auto* label = new QLabel;
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString layoutDisplayName(const QString& layout) {
    return layout == QLatin1String("comfyui") ? SettingsDialog::tr("ComfyUI split-file")
                                              : SettingsDialog::tr("diffusers");
}

// The existing folder nearest to `path` (itself, a parent, ...), or empty.
QFileInfo nearestExisting(const QString& path) {
    QFileInfo info(path);
    while (!info.exists()) {
        const QString parent = info.absolutePath();
        if (parent == info.absoluteFilePath())
            return {};
        info = QFileInfo(parent);
    }
    return info;
}

// Steps between the sizes MemoryOptions accepts: from Automatic (0) to the smallest size, and below it back to 0.
class TileSizeSpinBox : public QSpinBox {
public:
    void stepBy(int steps) override {
        int pixels = value();
        for (; steps > 0; --steps)
            pixels = pixels < kMinVaeTileSize ? kMinVaeTileSize : pixels + kTileStep;
        for (; steps < 0; ++steps)
            pixels = pixels <= kMinVaeTileSize ? 0 : pixels - kTileStep;
        setValue(std::clamp(pixels, 0, kMaxVaeTileSize));
    }
};

QHBoxLayout* folderRow(QLineEdit* edit, QPushButton* browse) {
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    return row;
}

} // namespace

OutputFolderCheck checkOutputFolder(const QString& folder) {
    const QString path = folder.trimmed();
    const QString shown = QDir::toNativeSeparators(path);
    if (path.isEmpty())
        return {false, SettingsDialog::tr("Choose a folder for the images.")};
    if (QDir::isRelativePath(path))
        return {false, SettingsDialog::tr("Give the full path of the folder, for example %1.")
                           .arg(QDir::toNativeSeparators(AppSettings::defaultOutputFolder()))};
    const QFileInfo info(path);
    if (info.exists() && !info.isDir())
        return {false, SettingsDialog::tr("“%1” is a file, not a folder.").arg(shown)};
    if (info.isDir()) {
        QTemporaryFile probe(QDir(path).filePath(QStringLiteral(".zimage-write-test-XXXXXX")));
        if (probe.open())
            return {true, SettingsDialog::tr("Images are saved in this folder.")};
        return {false, SettingsDialog::tr("Images cannot be saved in “%1”: %2").arg(shown, probe.errorString())};
    }
    const QFileInfo parent = nearestExisting(path);
    if (!parent.exists() || !parent.isDir())
        return {false, SettingsDialog::tr("“%1” cannot be created: “%2” is not a folder.")
                           .arg(shown, QDir::toNativeSeparators(parent.absoluteFilePath()))};
    if (!parent.isWritable())
        return {false, SettingsDialog::tr("“%1” cannot be created: “%2” is not writable.")
                           .arg(shown, QDir::toNativeSeparators(parent.absoluteFilePath()))};
    return {true, SettingsDialog::tr("The folder does not exist yet; it is created when the first image is saved.")};
}

SettingsDialog::SettingsDialog(AppSettings& settings, QWidget* parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_loaded(settings.preferences())
    , m_modelCheckTimer(new QTimer(this))
    , m_outputCheckTimer(new QTimer(this)) {
    setWindowTitle(tr("Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    // Room for model paths and the found model's description without scrolling sideways.
    setMinimumSize(640, 460);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("settingsTabs"));
    m_tabs->addTab(buildModelTab(), tr("Model"));
    m_tabs->addTab(buildDeviceTab(), tr("Device && memory"));
    m_tabs->addTab(buildImagesTab(), tr("Images"));
    m_tabs->addTab(buildInterfaceTab(), tr("Interface"));

    m_saveProblem = statusLabel(QStringLiteral("saveProblem"));
    m_saveProblem->hide();
    m_buttons =
        new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults);
    m_buttons->setObjectName(QStringLiteral("settingsButtons"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            &SettingsDialog::restoreDefaults);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(m_saveProblem);
    layout->addWidget(m_buttons);

    for (QTimer* timer : {m_modelCheckTimer, m_outputCheckTimer}) {
        timer->setSingleShot(true);
        timer->setInterval(kCheckDelayMs);
    }
    connect(m_modelCheckTimer, &QTimer::timeout, this, &SettingsDialog::startModelCheck);
    connect(m_outputCheckTimer, &QTimer::timeout, this, &SettingsDialog::startOutputCheck);
    // An edit drops the result of a check in flight (it is about the old text) and checks after a pause in typing.
    connect(m_modelFolder, &QLineEdit::textChanged, this, [this] {
        ++m_modelCheckSerial;
        m_modelCheckTimer->start();
    });
    connect(m_outputFolder, &QLineEdit::textChanged, this, [this] {
        ++m_outputCheckSerial;
        m_outputCheckTimer->start();
    });

    setPreferences(m_loaded);
    // The loaded folders are checked at once, not after the typing delay.
    m_modelCheckTimer->stop();
    m_outputCheckTimer->stop();
    startModelCheck();
    startOutputCheck();
}

SettingsDialog::~SettingsDialog() = default;

QWidget* SettingsDialog::buildModelTab() {
    auto* page = new QWidget;
    auto* intro = new QLabel(tr("Z-Image Studio needs the Z-Image-Turbo model. Leave the folder empty to find it "
                                "automatically in the Hugging Face cache and the usual ComfyUI folders."));
    intro->setWordWrap(true);

    m_modelFolder = new QLineEdit;
    m_modelFolder->setObjectName(QStringLiteral("modelFolderEdit"));
    m_modelFolder->setPlaceholderText(tr("Automatic: search the usual places"));
    m_modelFolder->setClearButtonEnabled(true);
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(QStringLiteral("modelFolderBrowse"));
    connect(browse, &QPushButton::clicked, this, &SettingsDialog::browseModelFolder);
    m_modelStatus = statusLabel(QStringLiteral("modelFolderStatus"));

    auto* detect = new QPushButton(tr("Detect"));
    detect->setObjectName(QStringLiteral("detectModelsButton"));
    detect->setToolTip(tr("Search the Hugging Face cache and the usual ComfyUI folders for the model."));
    connect(detect, &QPushButton::clicked, this, &SettingsDialog::detectModels);
    m_detectStatus = statusLabel(QStringLiteral("detectStatus"));
    m_candidates = new QListWidget;
    m_candidates->setObjectName(QStringLiteral("modelCandidates"));
    m_candidates->hide();
    connect(m_candidates, &QListWidget::itemClicked, this,
            [this](QListWidgetItem* item) { m_modelFolder->setText(item->data(Qt::UserRole).toString()); });

    auto* detectRow = new QHBoxLayout;
    detectRow->addWidget(detect);
    detectRow->addWidget(m_detectStatus, 1);

    auto* layout = new QVBoxLayout(page);
    layout->addWidget(intro);
    layout->addLayout(folderRow(m_modelFolder, browse));
    layout->addWidget(m_modelStatus);
    layout->addLayout(detectRow);
    layout->addWidget(m_candidates);
    layout->addStretch(1);
    return page;
}

QWidget* SettingsDialog::buildDeviceTab() {
    auto* page = new QWidget;
    m_device = new QComboBox;
    m_device->setObjectName(QStringLiteral("deviceCombo"));
    m_device->addItem(tr("Automatic (the GPU when there is one)"), toQString(deviceChoiceName(DeviceChoice::Auto)));
    m_device->addItem(tr("GPU (CUDA)"), toQString(deviceChoiceName(DeviceChoice::Cuda)));
    m_device->addItem(tr("CPU (slow)"), toQString(deviceChoiceName(DeviceChoice::Cpu)));

    m_precision = new QComboBox;
    m_precision->setObjectName(QStringLiteral("precisionCombo"));
    m_precision->addItem(tr("Automatic (bfloat16 on the GPU, float32 on the CPU)"),
                         toQString(precisionName(Precision::Auto)));
    m_precision->addItem(tr("bfloat16"), toQString(precisionName(Precision::Bf16)));
    m_precision->addItem(tr("float16 (GPUs older than Ampere)"), toQString(precisionName(Precision::Fp16)));
    m_precision->addItem(tr("float32 (twice the memory)"), toQString(precisionName(Precision::Fp32)));

    m_vramBudget = new QDoubleSpinBox;
    m_vramBudget->setObjectName(QStringLiteral("vramBudgetSpin"));
    m_vramBudget->setRange(0.0, kMaxBudgetGiB);
    m_vramBudget->setDecimals(1);
    m_vramBudget->setSingleStep(kMinBudgetGiB);
    m_vramBudget->setSpecialValueText(tr("Automatic"));
    m_vramBudget->setSuffix(tr(" GiB"));
    m_vramBudget->setToolTip(tr("The GPU memory the engine may use. Automatic: the memory free when a job starts, "
                                "less a safety margin."));
    connect(m_vramBudget, &QDoubleSpinBox::editingFinished, this,
            [this] { m_vramBudget->setValue(snapBudget(m_vramBudget->value())); });

    m_vaeTiling = new QComboBox;
    m_vaeTiling->setObjectName(QStringLiteral("vaeTilingCombo"));
    m_vaeTiling->addItem(tr("Automatic (when the image would not fit)"),
                         toQString(tilingChoiceName(TilingChoice::Auto)));
    m_vaeTiling->addItem(tr("Always"), toQString(tilingChoiceName(TilingChoice::On)));
    m_vaeTiling->addItem(tr("Never"), toQString(tilingChoiceName(TilingChoice::Off)));
    connect(m_vaeTiling, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateTileSizeEnabled);

    m_vaeTileSize = new TileSizeSpinBox;
    m_vaeTileSize->setObjectName(QStringLiteral("vaeTileSizeSpin"));
    m_vaeTileSize->setRange(0, kMaxVaeTileSize);
    m_vaeTileSize->setSingleStep(kTileStep);
    m_vaeTileSize->setSpecialValueText(tr("Automatic"));
    m_vaeTileSize->setSuffix(tr(" px"));
    m_vaeTileSize->setToolTip(tr("The side of a decoded tile in image pixels, a multiple of 64 from %1 to %2. "
                                 "Automatic: picked from the memory budget.")
                                  .arg(kMinVaeTileSize)
                                  .arg(kMaxVaeTileSize));
    connect(m_vaeTileSize, &QSpinBox::editingFinished, this,
            [this] { m_vaeTileSize->setValue(snapTileSize(m_vaeTileSize->value())); });

    auto* note = new QLabel(tr("A new device or precision takes effect when the model is loaded again; memory "
                               "settings apply from the next image."));
    note->setWordWrap(true);

    auto* form = new QFormLayout(page);
    form->addRow(tr("&Device:"), m_device);
    form->addRow(tr("&Precision:"), m_precision);
    form->addRow(tr("GPU memory &budget:"), m_vramBudget);
    form->addRow(tr("VAE &tiling:"), m_vaeTiling);
    form->addRow(tr("Tile si&ze:"), m_vaeTileSize);
    form->addRow(note);
    return page;
}

QWidget* SettingsDialog::buildImagesTab() {
    auto* page = new QWidget;
    m_noiseSource = new QComboBox;
    m_noiseSource->setObjectName(QStringLiteral("noiseSourceCombo"));
    m_noiseSource->addItem(tr("CPU (ComfyUI-compatible)"), toQString(noiseSourceName(NoiseSource::Cpu)));
    m_noiseSource->addItem(tr("GPU (diffusers-compatible)"), toQString(noiseSourceName(NoiseSource::Cuda)));
    auto* noiseNote = new QLabel(tr("CPU: same seeds as ComfyUI · GPU: same seeds as the diffusers examples; the same "
                                    "seed gives different images in the two."));
    noiseNote->setWordWrap(true);

    m_outputFolder = new QLineEdit;
    m_outputFolder->setObjectName(QStringLiteral("outputFolderEdit"));
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(QStringLiteral("outputFolderBrowse"));
    connect(browse, &QPushButton::clicked, this, &SettingsDialog::browseOutputFolder);
    m_outputStatus = statusLabel(QStringLiteral("outputFolderStatus"));

    auto* form = new QFormLayout(page);
    form->addRow(tr("&Noise source:"), m_noiseSource);
    form->addRow(QString(), noiseNote);
    auto* outputLabel = new QLabel(tr("&Output folder:"));
    outputLabel->setBuddy(m_outputFolder); // a row holding a layout gets no buddy by itself
    form->addRow(outputLabel, folderRow(m_outputFolder, browse));
    form->addRow(QString(), m_outputStatus);
    return page;
}

QWidget* SettingsDialog::buildInterfaceTab() {
    auto* page = new QWidget;
    m_language = new QComboBox;
    m_language->setObjectName(QStringLiteral("languageCombo"));
    m_language->addItem(tr("System default"), QString());
    // Each language by its own name, untranslated, so it can be found whatever language is showing.
    for (const LanguageChoice& language : availableLanguages())
        m_language->addItem(language.nativeName, language.code);
    auto* languageNote = new QLabel(tr("A new language takes effect the next time Z-Image Studio starts."));
    languageNote->setWordWrap(true);

    m_preview = new QCheckBox(tr("Show a live &preview of the image while it is generated"));
    m_preview->setObjectName(QStringLiteral("previewCheck"));

    auto* form = new QFormLayout(page);
    form->addRow(tr("&Language:"), m_language);
    form->addRow(QString(), languageNote);
    form->addRow(m_preview);
    return page;
}

Preferences SettingsDialog::preferences() const {
    Preferences preferences;
    preferences.modelFolder = QDir::fromNativeSeparators(m_modelFolder->text().trimmed());
    preferences.device = parsedName(m_device, DeviceChoice::Auto, [](std::string_view text, DeviceChoice& out) {
        return parseDeviceChoice(text, out);
    });
    preferences.precision = parsedName(m_precision, Precision::Auto,
                                       [](std::string_view text, Precision& out) { return parsePrecision(text, out); });
    preferences.vramBudgetGiB = snapBudget(m_vramBudget->value());
    preferences.vaeTiling = parsedName(m_vaeTiling, TilingChoice::Auto, [](std::string_view text, TilingChoice& out) {
        return parseTilingChoice(text, out);
    });
    preferences.vaeTileSize = snapTileSize(m_vaeTileSize->value());
    preferences.noiseSource = parsedName(m_noiseSource, NoiseSource::Cpu, [](std::string_view text, NoiseSource& out) {
        return parseNoiseSource(text, out);
    });
    preferences.outputFolder = QDir::cleanPath(m_outputFolder->text().trimmed());
    preferences.language = currentName(m_language);
    preferences.previewEnabled = m_preview->isChecked();
    return preferences;
}

void SettingsDialog::setPreferences(const Preferences& preferences) {
    m_modelFolder->setText(preferences.modelFolder);
    selectName(m_device, toQString(deviceChoiceName(preferences.device)));
    selectName(m_precision, toQString(precisionName(preferences.precision)));
    m_vramBudget->setValue(preferences.vramBudgetGiB);
    selectName(m_vaeTiling, toQString(tilingChoiceName(preferences.vaeTiling)));
    m_vaeTileSize->setValue(preferences.vaeTileSize);
    selectName(m_noiseSource, toQString(noiseSourceName(preferences.noiseSource)));
    m_outputFolder->setText(QDir::toNativeSeparators(preferences.outputFolder));
    selectName(m_language, preferences.language);
    m_preview->setChecked(preferences.previewEnabled);
    updateTileSizeEnabled();
}

void SettingsDialog::restoreDefaults() {
    setPreferences(Preferences::defaults());
}

void SettingsDialog::accept() {
    const Preferences chosen = preferences();
    m_settings.setPreferences(chosen);
    QString problem;
    if (!m_settings.sync(&problem)) {
        setStatus(m_saveProblem, problem, true);
        m_saveProblem->show();
        return;
    }
    m_changes = changesBetween(m_loaded, chosen);
    m_loaded = chosen;
    if (m_changes)
        Q_EMIT settingsChanged(m_changes);
    QDialog::accept();
}

void SettingsDialog::browseModelFolder() {
    const QString start = m_modelFolder->text().trimmed().isEmpty() ? QDir::homePath() : m_modelFolder->text();
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose the model folder"), start);
    if (!folder.isEmpty())
        m_modelFolder->setText(QDir::toNativeSeparators(folder));
}

void SettingsDialog::browseOutputFolder() {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Choose the output folder"), m_outputFolder->text());
    if (!folder.isEmpty())
        m_outputFolder->setText(QDir::toNativeSeparators(folder));
}

void SettingsDialog::startModelCheck() {
    m_modelCheckTimer->stop();
    const int serial = ++m_modelCheckSerial;
    setStatus(m_modelStatus, tr("Checking…"), false);
    auto* watcher = new QFutureWatcher<ModelFolderCheck>(this);
    connect(watcher, &QFutureWatcher<ModelFolderCheck>::finished, this, [this, watcher, serial] {
        watcher->deleteLater();
        if (serial == m_modelCheckSerial)
            showModelCheck(watcher->result());
    });
    watcher->setFuture(checkModelFolderAsync(m_modelFolder->text().trimmed()));
}

void SettingsDialog::showModelCheck(const ModelFolderCheck& check) {
    const bool automatic = check.folder.trimmed().isEmpty();
    if (check.found) {
        const QString root = QDir::toNativeSeparators(check.model.root);
        const QString headline =
            automatic ? tr("Found automatically: a %1 model in “%2”.") : tr("Found a %1 model in “%2”.");
        setStatus(m_modelStatus,
                  headline.arg(layoutDisplayName(check.model.layout), root) + QLatin1Char('\n') +
                      check.model.description,
                  false);
    } else {
        QStringList lines;
        if (automatic)
            lines << tr("No model was found in the usual places.");
        lines << check.problem;
        if (!check.hint.isEmpty())
            lines << check.hint;
        setStatus(m_modelStatus, lines.join(QLatin1Char('\n')), true);
    }
    Q_EMIT modelFolderChecked(check.found);
}

void SettingsDialog::startOutputCheck() {
    m_outputCheckTimer->stop();
    const int serial = ++m_outputCheckSerial;
    auto* watcher = new QFutureWatcher<OutputFolderCheck>(this);
    connect(watcher, &QFutureWatcher<OutputFolderCheck>::finished, this, [this, watcher, serial] {
        watcher->deleteLater();
        if (serial != m_outputCheckSerial)
            return;
        const OutputFolderCheck check = watcher->result();
        setStatus(m_outputStatus, check.message, !check.usable);
        Q_EMIT outputFolderChecked(check.usable);
    });
    watcher->setFuture(QtConcurrent::run(&checkOutputFolder, QDir::fromNativeSeparators(m_outputFolder->text())));
}

void SettingsDialog::detectModels() {
    const int serial = ++m_detectSerial;
    setStatus(m_detectStatus, tr("Searching…"), false);
    auto* watcher = new QFutureWatcher<ModelDiscovery>(this);
    connect(watcher, &QFutureWatcher<ModelDiscovery>::finished, this, [this, watcher, serial] {
        watcher->deleteLater();
        if (serial == m_detectSerial)
            showDetection(watcher->result());
    });
    watcher->setFuture(discoverModelsAsync());
}

void SettingsDialog::showDetection(const ModelDiscovery& discovery) {
    m_candidates->clear();
    for (const ModelCandidate& candidate : discovery.candidates) {
        auto* item = new QListWidgetItem(
            tr("%1 (%2)").arg(QDir::toNativeSeparators(candidate.folder), layoutDisplayName(candidate.layout)));
        item->setData(Qt::UserRole, QDir::toNativeSeparators(candidate.folder));
        item->setToolTip(candidate.description);
        m_candidates->addItem(item);
    }
    m_candidates->setVisible(!discovery.candidates.isEmpty());
    if (discovery.candidates.isEmpty()) {
        QStringList searched;
        for (const SearchedLocation& location : discovery.searched)
            searched << QDir::toNativeSeparators(location.path);
        setStatus(m_detectStatus, tr("No model found. Searched: %1").arg(searched.join(QLatin1String(", "))), true);
    } else {
        setStatus(m_detectStatus,
                  tr("Found %n model(s); click one to use it.", nullptr, static_cast<int>(discovery.candidates.size())),
                  false);
    }
    Q_EMIT modelsDetected(static_cast<int>(discovery.candidates.size()));
}

void SettingsDialog::updateTileSizeEnabled() {
    m_vaeTileSize->setEnabled(currentName(m_vaeTiling) != toQString(tilingChoiceName(TilingChoice::Off)));
}

} // namespace zimage::ui
