#include "first_run_page.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFontMetrics>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QTimer>
#include <QVBoxLayout>

namespace zimage::ui {
namespace {

constexpr int kMaxTextWidth = 720;      // logical pixels: lines stay readable in a maximized window
constexpr int kCopiedFeedbackMs = 2000; // how long "Copied" shows on the copy button

// The ComfyUI files (README.md, "Getting the model"), relative to ComfyUI's folder.
const char* const kComfyFiles[] = {
    "models/diffusion_models/z_image_turbo_bf16.safetensors",
    "models/text_encoders/qwen_3_4b.safetensors",
    "models/vae/ae.safetensors",
};

QLabel* textLabel(const QString& text = {}) {
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QLabel* headingLabel(const QString& text, double scale) {
    auto* label = textLabel(text);
    QFont font = label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * scale);
    label->setFont(font);
    return label;
}

// A read-only field with a command and a button that copies it.
QWidget* commandRow(const QString& command, const QString& objectName) {
    auto* row = new QWidget;
    auto* field = new QLineEdit(command);
    field->setObjectName(objectName);
    field->setReadOnly(true);
    field->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    field->setMinimumWidth(QFontMetrics(field->font()).horizontalAdvance(command + QStringLiteral("MM")));
    auto* copy = new QPushButton(FirstRunPage::tr("Copy"));
    copy->setObjectName(objectName + QStringLiteral("Copy"));
    QObject::connect(copy, &QPushButton::clicked, copy, [copy, command] {
        QApplication::clipboard()->setText(command);
        copy->setText(FirstRunPage::tr("Copied"));
        QTimer::singleShot(kCopiedFeedbackMs, copy, [copy] { copy->setText(FirstRunPage::tr("Copy")); });
    });
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(field, 1);
    layout->addWidget(copy);
    return row;
}

QString hubFolder() {
    const QStringList paths = modelSearchPaths();
    // defaultModelSearchPaths() lists the Hugging Face cache first when it knows one.
    return paths.isEmpty() ? QStringLiteral("~/.cache/huggingface/hub") : QDir::toNativeSeparators(paths.first());
}

QString searchedLine(const SearchedLocation& location) {
    const QString path = QDir::toNativeSeparators(location.path);
    if (location.found)
        return FirstRunPage::tr("%1: the model is here.").arg(path);
    if (!location.exists)
        return FirstRunPage::tr("%1: does not exist.").arg(path);
    return FirstRunPage::tr("%1: %2").arg(path, location.problem);
}

} // namespace

QString FirstRunPage::downloadCommand() {
    return QStringLiteral("huggingface-cli download Tongyi-MAI/Z-Image-Turbo");
}

FirstRunPage::FirstRunPage(QWidget* parent)
    : QWidget(parent)
    , m_problem(textLabel())
    , m_status(textLabel()) {
    setObjectName(QStringLiteral("firstRunPage"));
    m_problem->setObjectName(QStringLiteral("firstRunProblem"));
    m_status->setObjectName(QStringLiteral("firstRunStatus"));
    m_problem->hide();

    m_choose = new QPushButton(tr("Choose model folder…"));
    m_choose->setObjectName(QStringLiteral("chooseModelFolderButton"));
    connect(m_choose, &QPushButton::clicked, this, &FirstRunPage::browseForFolder);
    m_search = new QPushButton(tr("Search again"));
    m_search->setObjectName(QStringLiteral("searchAgainButton"));
    connect(m_search, &QPushButton::clicked, this, &FirstRunPage::searchAgain);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_choose);
    buttons->addWidget(m_search);
    buttons->addStretch(1);

    auto* column = new QWidget;
    column->setMaximumWidth(kMaxTextWidth);
    auto* layout = new QVBoxLayout(column);
    layout->addWidget(headingLabel(tr("Download Z-Image-Turbo to start"), 1.6));
    layout->addWidget(textLabel(tr("Z-Image Studio makes images with the Z-Image-Turbo model, which is about 20 GB. "
                                   "No copy of it was found on this computer.")));
    layout->addWidget(m_problem);
    layout->addWidget(buildDownloadSteps());
    layout->addLayout(buttons);
    layout->addWidget(m_status);

    // The column grows to kMaxTextWidth and stays centred; the page scrolls in a window too short for it.
    auto* content = new QWidget;
    auto* centred = new QHBoxLayout(content);
    centred->addStretch(1);
    centred->addWidget(column, 100, Qt::AlignTop);
    centred->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setWidget(content);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    QStringList paths;
    for (const QString& path : modelSearchPaths())
        paths << QDir::toNativeSeparators(path);
    m_status->setText(tr("Z-Image Studio looks for the model in:\n%1").arg(paths.join(QLatin1Char('\n'))));
}

QWidget* FirstRunPage::buildDownloadSteps() {
    auto* steps = new QWidget;
    auto* layout = new QVBoxLayout(steps);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(headingLabel(tr("Download it from Hugging Face"), 1.1));
    layout->addWidget(textLabel(tr("Run this command in a terminal. The model lands in the Hugging Face cache (%1), "
                                   "where Z-Image Studio finds it by itself.")
                                    .arg(hubFolder())));
    layout->addWidget(commandRow(downloadCommand(), QStringLiteral("downloadCommand")));
    layout->addWidget(textLabel(tr("The command comes with the Python package huggingface_hub:")));
    layout->addWidget(commandRow(QStringLiteral("pip install -U huggingface_hub"), QStringLiteral("installCommand")));

    layout->addWidget(headingLabel(tr("Or use the ComfyUI files"), 1.1));
    QStringList files;
    for (const char* file : kComfyFiles)
        files << QDir::toNativeSeparators(QString::fromLatin1(file));
    auto* fileList = textLabel(files.join(QLatin1Char('\n')));
    fileList->setObjectName(QStringLiteral("comfyFiles"));
    fileList->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(textLabel(tr("If you use ComfyUI, these files in its folder are enough; choose the ComfyUI "
                                   "folder below:")));
    layout->addWidget(fileList);
    return steps;
}

void FirstRunPage::setProblem(const QString& message) {
    m_problem->setText(message);
    m_problem->setVisible(!message.isEmpty());
}

void FirstRunPage::searchAgain() {
    if (m_busy)
        return;
    setBusy(true, tr("Searching…"));
    auto* watcher = new QFutureWatcher<ModelDiscovery>(this);
    connect(watcher, &QFutureWatcher<ModelDiscovery>::finished, this, [this, watcher] {
        watcher->deleteLater();
        showSearch(watcher->result());
    });
    watcher->setFuture(discoverModelsAsync());
}

void FirstRunPage::showSearch(const ModelDiscovery& discovery) {
    QStringList lines;
    lines << (discovery.candidates.isEmpty()
                  ? tr("No model was found. Searched:")
                  : tr("Found a model in “%1”.").arg(QDir::toNativeSeparators(discovery.candidates.first().root)));
    for (const SearchedLocation& location : discovery.searched)
        lines << searchedLine(location);
    setBusy(false, lines.join(QLatin1Char('\n')));
    Q_EMIT searchFinished(static_cast<int>(discovery.candidates.size()));
    if (!discovery.candidates.isEmpty())
        Q_EMIT modelFound(discovery.candidates.first().folder);
}

void FirstRunPage::chooseFolder(const QString& folder) {
    if (m_busy)
        return;
    setBusy(true, tr("Checking “%1”…").arg(QDir::toNativeSeparators(folder)));
    auto* watcher = new QFutureWatcher<ModelFolderCheck>(this);
    connect(watcher, &QFutureWatcher<ModelFolderCheck>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const ModelFolderCheck check = watcher->result();
        if (check.found) {
            setBusy(false, tr("Found a model in “%1”.").arg(QDir::toNativeSeparators(check.model.root)));
            Q_EMIT modelFolderChosen(check.folder);
            return;
        }
        QStringList lines{check.problem};
        if (!check.hint.isEmpty())
            lines << check.hint;
        setBusy(false, lines.join(QLatin1Char('\n')));
        Q_EMIT folderRejected(check.folder);
    });
    watcher->setFuture(checkModelFolderAsync(folder));
}

void FirstRunPage::browseForFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose the model folder"), QDir::homePath());
    if (!folder.isEmpty())
        chooseFolder(folder);
}

void FirstRunPage::setBusy(bool busy, const QString& status) {
    m_busy = busy;
    m_choose->setEnabled(!busy);
    m_search->setEnabled(!busy);
    m_status->setText(status);
}

} // namespace zimage::ui
