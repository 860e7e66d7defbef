#include "generation_form.h"

#include "size_presets.h"

#include <QAbstractSpinBox>
#include <QButtonGroup>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScopedValueRollback>
#include <QShortcut>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace zimage::ui {
namespace {

// Combo item data: the index in sizePresets(), or one of these.
constexpr int kPresetRole = Qt::UserRole;
constexpr int kCustomItem = -1;
constexpr int kHeaderItem = -2;
constexpr int kSeparatorItem = -3;

constexpr int kMinSteps = 1;
constexpr int kMaxSteps = 100;
constexpr double kMaxGuidance = 20.0;
constexpr int kDefaultSteps = 8; // Z-Image-Turbo is distilled for 8 steps

// Seeds the form draws stay below 2^32: ten digits are easier to read and type back than twenty, and 4 billion seeds
// are plenty to choose from.
std::uint64_t drawSeed() {
    return QRandomGenerator::global()->generate();
}

// A long pasted text quoted whole would push the form wide.
QString shortened(const QString& text) {
    constexpr int kMaxShown = 24;
    return text.size() <= kMaxShown ? text : text.left(kMaxShown - 1) + QChar(0x2026);
}

QString maxSeedText() {
    return QString::number(std::numeric_limits<std::uint64_t>::max());
}

QLabel* makeNoteLabel(QWidget* parent, const QString& objectName, const QString& accessibleName) {
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->hide();
    return label;
}

// The control with its notes stacked under it, so each explanation sits next to what it explains.
QWidget* withNotes(QWidget* parent, QLayout* controls, std::initializer_list<QLabel*> notes) {
    auto* field = new QWidget(parent);
    auto* layout = new QVBoxLayout(field);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(controls);
    for (QLabel* note : notes)
        layout->addWidget(note);
    return field;
}

QHBoxLayout* row(std::initializer_list<QWidget*> widgets) {
    auto* layout = new QHBoxLayout;
    layout->setContentsMargins(0, 0, 0, 0);
    for (QWidget* widget : widgets)
        layout->addWidget(widget);
    return layout;
}

void showNote(QLabel* label, const QString& text) {
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

// The problem in the label and in the control's accessible description, so a screen reader says it on focus.
void showProblem(QLabel* label, QWidget* control, const QString& text) {
    showNote(label, text);
    control->setAccessibleDescription(text);
}

QString noiseSourceLabel(NoiseSource source) {
    return source == NoiseSource::Cpu ? GenerationForm::tr("CPU") : GenerationForm::tr("GPU");
}

} // namespace

QStringList GenerationForm::Problems::all() const {
    QStringList list;
    for (const QString* problem : {&prompt, &seed, &steps, &size, &guidance, &batch})
        if (!problem->isEmpty())
            list << *problem;
    return list + request;
}

GenerationForm::GenerationForm(QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    buildPromptSection();
    buildSeedSection();
    buildParameterSection();
    buildActionSection();
    connectSignals();
    selectPresetForSize();
    applyNoteColors();
    refresh();
}

void GenerationForm::buildPromptSection() {
    auto* layout = qobject_cast<QVBoxLayout*>(this->layout());

    m_promptEdit = new QPlainTextEdit(this);
    m_promptEdit->setObjectName(QStringLiteral("promptEdit"));
    m_promptEdit->setPlaceholderText(tr("Describe the image: subject, setting, style, light. English or Chinese."));
    // Tab moves on (a prompt has no use for tab characters); long words and URLs wrap instead of scrolling sideways.
    m_promptEdit->setTabChangesFocus(true);
    m_promptEdit->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_promptEdit->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_promptEdit->setMinimumHeight(m_promptEdit->fontMetrics().lineSpacing() * 5);
    m_promptProblem = makeNoteLabel(this, QStringLiteral("promptProblemLabel"), tr("Prompt problem"));
    auto* promptLabel = new QLabel(tr("&Prompt"), this);
    promptLabel->setBuddy(m_promptEdit);
    layout->addWidget(promptLabel);
    layout->addWidget(m_promptEdit, 3);
    layout->addWidget(m_promptProblem);

    m_negativeEdit = new QPlainTextEdit(this);
    m_negativeEdit->setObjectName(QStringLiteral("negativeEdit"));
    m_negativeEdit->setPlaceholderText(tr("What the image should not show."));
    m_negativeEdit->setTabChangesFocus(true);
    m_negativeEdit->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_negativeEdit->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_negativeEdit->setMinimumHeight(m_negativeEdit->fontMetrics().lineSpacing() * 2);
    m_negativeNote = makeNoteLabel(this, QStringLiteral("negativeNoteLabel"), tr("Negative prompt note"));
    auto* negativeLabel = new QLabel(tr("&Negative prompt"), this);
    negativeLabel->setBuddy(m_negativeEdit);
    layout->addWidget(negativeLabel);
    layout->addWidget(m_negativeEdit, 1);
    layout->addWidget(m_negativeNote);
}

void GenerationForm::buildSeedSection() {
    m_seedEdit = new QLineEdit(this);
    m_seedEdit->setObjectName(QStringLiteral("seedEdit"));
    m_seedEdit->setPlaceholderText(tr("Drawn on Generate"));
    m_seedEdit->setClearButtonEnabled(true);
    m_seedEdit->setToolTip(tr("A whole number from 0 to %1. The same seed and settings give the same image; image "
                              "2 of a batch uses the seed plus 1, and so on.")
                               .arg(maxSeedText()));

    m_seedRandomButton = new QToolButton(this);
    m_seedRandomButton->setObjectName(QStringLiteral("seedModeRandom"));
    m_seedRandomButton->setText(tr("Random"));
    m_seedRandomButton->setToolTip(tr("Draw a new seed for every generation and show it here."));
    m_seedLockedButton = new QToolButton(this);
    m_seedLockedButton->setObjectName(QStringLiteral("seedModeLocked"));
    m_seedLockedButton->setText(tr("Locked"));
    m_seedLockedButton->setToolTip(tr("Use the seed in the field for every generation."));
    auto* modes = new QButtonGroup(this);
    for (QToolButton* button : {m_seedRandomButton, m_seedLockedButton}) {
        button->setCheckable(true);
        button->setAutoRaise(false);
        modes->addButton(button);
    }
    m_seedRandomButton->setChecked(true);

    m_reuseSeedButton = new QToolButton(this);
    m_reuseSeedButton->setObjectName(QStringLiteral("reuseSeedButton"));
    m_reuseSeedButton->setText(tr("Reuse last"));
    m_reuseSeedButton->setToolTip(tr("No generation has run yet."));
    m_reuseSeedButton->setEnabled(false);

    m_seedProblem = makeNoteLabel(this, QStringLiteral("seedProblemLabel"), tr("Seed problem"));
}

void GenerationForm::buildParameterSection() {
    m_stepsSpin = new QSpinBox(this);
    m_stepsSpin->setObjectName(QStringLiteral("stepsSpin"));
    m_stepsSpin->setRange(kMinSteps, kMaxSteps);
    m_stepsSpin->setValue(kDefaultSteps);
    m_stepsSpin->setToolTip(tr("Denoising steps. Z-Image-Turbo is made for 8."));
    m_stepsProblem = makeNoteLabel(this, QStringLiteral("stepsProblemLabel"), tr("Steps problem"));

    m_sizeCombo = new QComboBox(this);
    m_sizeCombo->setObjectName(QStringLiteral("sizeCombo"));
    m_sizeCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_sizeCombo->setMinimumContentsLength(16);
    auto* items = qobject_cast<QStandardItemModel*>(m_sizeCombo->model());
    const auto presets = sizePresets();
    for (const int sizeClass : sizeClasses()) {
        // A group header: shown in the list, never selectable (QComboBox skips disabled items).
        const double megapixels = double(sizeClass) * sizeClass / 1e6;
        auto* header = new QStandardItem(
            tr("%1 class, about %2 megapixels").arg(sizeClass).arg(locale().toString(megapixels, 'f', 1)));
        header->setFlags(Qt::NoItemFlags);
        header->setData(kHeaderItem, kPresetRole);
        QFont bold = m_sizeCombo->font();
        bold.setBold(true);
        header->setData(bold, Qt::FontRole);
        items->appendRow(header);
        for (std::size_t i = 0; i < presets.size(); ++i) {
            const SizePreset& preset = presets[i];
            if (preset.sizeClass != sizeClass)
                continue;
            auto* item = new QStandardItem(tr("%1 × %2 (%3:%4)")
                                               .arg(preset.width)
                                               .arg(preset.height)
                                               .arg(preset.aspectWidth)
                                               .arg(preset.aspectHeight));
            item->setData(static_cast<int>(i), kPresetRole);
            items->appendRow(item);
        }
    }
    m_sizeCombo->insertSeparator(m_sizeCombo->count());
    m_sizeCombo->setItemData(m_sizeCombo->count() - 1, kSeparatorItem, kPresetRole);
    m_sizeCombo->addItem(tr("Custom size"), kCustomItem);

    const auto makeSideSpin = [this](const QString& objectName, const QString& accessibleName) {
        auto* spin = new QSpinBox(this);
        spin->setObjectName(objectName);
        spin->setAccessibleName(accessibleName);
        spin->setRange(kMinImageSide, kMaxImageSide);
        spin->setSingleStep(kImageSideMultiple);
        spin->setValue(1024);
        spin->setToolTip(tr("Pixels, a multiple of 16 from %1 to %2.").arg(kMinImageSide).arg(kMaxImageSide));
        return spin;
    };
    m_widthSpin = makeSideSpin(QStringLiteral("widthSpin"), tr("Width"));
    m_heightSpin = makeSideSpin(QStringLiteral("heightSpin"), tr("Height"));
    m_swapSizeButton = new QToolButton(this);
    m_swapSizeButton->setObjectName(QStringLiteral("swapSizeButton"));
    m_swapSizeButton->setText(QStringLiteral("⇄"));
    m_swapSizeButton->setAccessibleName(tr("Swap width and height"));
    m_swapSizeButton->setToolTip(tr("Swap width and height (portrait or landscape)."));
    m_sizeNote = makeNoteLabel(this, QStringLiteral("sizeNoteLabel"), tr("Size note"));
    m_sizeProblem = makeNoteLabel(this, QStringLiteral("sizeProblemLabel"), tr("Size problem"));

    m_guidanceSpin = new QDoubleSpinBox(this);
    m_guidanceSpin->setObjectName(QStringLiteral("guidanceSpin"));
    m_guidanceSpin->setRange(0.0, kMaxGuidance);
    m_guidanceSpin->setSingleStep(0.5);
    // Two decimals, so that a restored guidance such as 4.25 comes back unchanged.
    m_guidanceSpin->setDecimals(2);
    m_guidanceSpin->setValue(0.0);
    m_guidanceHint = makeNoteLabel(this, QStringLiteral("guidanceHintLabel"), tr("Guidance hint"));
    showNote(m_guidanceHint, tr("0 for Turbo. Above 0 also runs the negative prompt, which takes twice as long."));
    m_guidanceProblem = makeNoteLabel(this, QStringLiteral("guidanceProblemLabel"), tr("Guidance problem"));

    m_batchSpin = new QSpinBox(this);
    m_batchSpin->setObjectName(QStringLiteral("batchSpin"));
    m_batchSpin->setRange(1, kMaxBatch);
    m_batchSpin->setValue(1);
    m_batchSpin->setToolTip(tr("How many images one Generate makes."));
    m_batchNote = makeNoteLabel(this, QStringLiteral("batchNoteLabel"), tr("Batch note"));
    m_batchProblem = makeNoteLabel(this, QStringLiteral("batchProblemLabel"), tr("Batch count problem"));

    auto* seedModes = row({m_seedRandomButton, m_seedLockedButton, m_reuseSeedButton});
    seedModes->addStretch(1);
    auto* seedControls = new QVBoxLayout;
    seedControls->setContentsMargins(0, 0, 0, 0);
    seedControls->addWidget(m_seedEdit);
    seedControls->addLayout(seedModes);
    auto* sizeControls = new QVBoxLayout;
    sizeControls->setContentsMargins(0, 0, 0, 0);
    sizeControls->addWidget(m_sizeCombo);
    auto* sides = row({m_widthSpin, new QLabel(QStringLiteral("×"), this), m_heightSpin, m_swapSizeButton});
    sides->setStretch(0, 1);
    sides->setStretch(2, 1);
    sizeControls->addLayout(sides);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const auto addRow = [this, form](const QString& text, QWidget* buddy, QWidget* field) {
        auto* label = new QLabel(text, this);
        label->setBuddy(buddy);
        form->addRow(label, field);
    };
    addRow(tr("S&eed"), m_seedEdit, withNotes(this, seedControls, {m_seedProblem}));
    addRow(tr("S&teps"), m_stepsSpin, withNotes(this, row({m_stepsSpin}), {m_stepsProblem}));
    addRow(tr("Si&ze"), m_sizeCombo, withNotes(this, sizeControls, {m_sizeNote, m_sizeProblem}));
    addRow(tr("G&uidance"), m_guidanceSpin,
           withNotes(this, row({m_guidanceSpin}), {m_guidanceHint, m_guidanceProblem}));
    addRow(tr("&Batch count"), m_batchSpin, withNotes(this, row({m_batchSpin}), {m_batchNote, m_batchProblem}));
    qobject_cast<QVBoxLayout*>(layout())->addLayout(form);
}

void GenerationForm::buildActionSection() {
    auto* layout = qobject_cast<QVBoxLayout*>(this->layout());

    m_extrasNote = makeNoteLabel(this, QStringLiteral("extrasNoteLabel"), tr("Restored settings note"));
    m_resetExtrasButton = new QToolButton(this);
    m_resetExtrasButton->setObjectName(QStringLiteral("resetExtrasButton"));
    m_resetExtrasButton->setText(tr("Use my settings"));
    m_resetExtrasButton->setToolTip(
        tr("Generate with the noise source and schedule of your settings instead of the restored ones."));
    m_resetExtrasButton->hide();
    auto* extras = row({m_extrasNote, m_resetExtrasButton});
    extras->setStretch(0, 1);
    layout->addLayout(extras);

    m_requestProblem = makeNoteLabel(this, QStringLiteral("requestProblemLabel"), tr("Request problem"));
    layout->addWidget(m_requestProblem);
    m_modelNote = makeNoteLabel(this, QStringLiteral("modelNoteLabel"), tr("Model note"));
    layout->addWidget(m_modelNote);

    m_generateButton = new QPushButton(tr("&Generate"), this);
    m_generateButton->setObjectName(QStringLiteral("generateButton"));
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setToolTip(
        tr("Stop the running generation (%1).").arg(QKeySequence(Qt::Key_Escape).toString(QKeySequence::NativeText)));
    auto* buttons = row({m_generateButton, m_cancelButton});
    buttons->setStretch(0, 2);
    buttons->setStretch(1, 1);
    layout->addLayout(buttons);

    // Window-wide, so that Ctrl+Enter also generates again while the result view has the focus.
    for (const QKeyCombination key : {Qt::CTRL | Qt::Key_Return, Qt::CTRL | Qt::Key_Enter}) {
        auto* shortcut = new QShortcut(QKeySequence(key), this);
        shortcut->setContext(Qt::WindowShortcut);
        connect(shortcut, &QShortcut::activated, this, &GenerationForm::triggerGenerate);
    }
    // Only inside the form and only while busy: elsewhere Esc keeps its usual meaning.
    m_cancelShortcut = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    m_cancelShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    m_cancelShortcut->setEnabled(false);
    connect(m_cancelShortcut, &QShortcut::activated, this, &GenerationForm::triggerCancel);
}

void GenerationForm::connectSignals() {
    connect(m_promptEdit, &QPlainTextEdit::textChanged, this, &GenerationForm::onUserEdit);
    connect(m_negativeEdit, &QPlainTextEdit::textChanged, this, &GenerationForm::onUserEdit);

    connect(m_seedEdit, &QLineEdit::textEdited, this, &GenerationForm::onSeedTyped);
    connect(m_seedEdit, &QLineEdit::textChanged, this, &GenerationForm::onUserEdit);
    for (QToolButton* button : {m_seedRandomButton, m_seedLockedButton})
        connect(button, &QToolButton::toggled, this, [this](bool checked) {
            if (checked)
                onUserEdit();
        });
    connect(m_reuseSeedButton, &QToolButton::clicked, this, &GenerationForm::reuseLastSeed);

    // A spin box whose text is not a value (emptied, below the minimum while typing) keeps its old value; the form
    // says so instead of silently using it. The spin box's own textChanged comes only with a new value, hence its
    // line edit's.
    for (QAbstractSpinBox* spin :
         std::initializer_list<QAbstractSpinBox*>{m_stepsSpin, m_widthSpin, m_heightSpin, m_guidanceSpin, m_batchSpin})
        connect(spin->findChild<QLineEdit*>(), &QLineEdit::textChanged, this, &GenerationForm::refresh);
    for (QSpinBox* spin : {m_stepsSpin, m_batchSpin})
        connect(spin, &QSpinBox::valueChanged, this, &GenerationForm::onUserEdit);
    connect(m_guidanceSpin, &QDoubleSpinBox::valueChanged, this, &GenerationForm::onUserEdit);
    for (QSpinBox* spin : {m_widthSpin, m_heightSpin}) {
        connect(spin, &QSpinBox::valueChanged, this, &GenerationForm::onSizeEdited);
        connect(spin, &QSpinBox::editingFinished, this, &GenerationForm::snapSizes);
    }
    connect(m_sizeCombo, &QComboBox::currentIndexChanged, this, &GenerationForm::onPresetChosen);
    connect(m_swapSizeButton, &QToolButton::clicked, this, &GenerationForm::swapSize);

    connect(m_resetExtrasButton, &QToolButton::clicked, this, &GenerationForm::resetExtras);
    connect(m_generateButton, &QPushButton::clicked, this, &GenerationForm::triggerGenerate);
    connect(m_cancelButton, &QPushButton::clicked, this, &GenerationForm::triggerCancel);
}

GenerationRequest GenerationForm::request() const {
    GenerationRequest request;
    if (m_restored)
        request = *m_restored;
    else
        request.noise = m_defaultNoise;
    const std::string prompt = m_promptEdit->toPlainText().toStdString();
    request.prompts.assign(static_cast<std::size_t>(m_batchSpin->value()), prompt);
    request.negativePrompt = m_negativeEdit->toPlainText().toStdString();
    request.seed = parseSeed(nullptr).value_or(0);
    request.steps = m_stepsSpin->value();
    request.width = snapImageSide(m_widthSpin->value());
    request.height = snapImageSide(m_heightSpin->value());
    request.guidance = m_guidanceSpin->value();
    return request;
}

GenerationRequest GenerationForm::takeRequest() {
    snapSizes();
    if (seedMode() == SeedMode::Random) {
        const QScopedValueRollback quiet(m_quiet, true);
        m_seedEdit->setText(QString::number(drawSeed()));
    }
    refresh();
    return request();
}

void GenerationForm::setRequest(const GenerationRequest& request) {
    {
        const QScopedValueRollback quiet(m_quiet, true);
        m_restored = request;
        m_promptEdit->setPlainText(request.prompts.empty() ? QString()
                                                           : QString::fromStdString(request.prompts.front()));
        m_negativeEdit->setPlainText(QString::fromStdString(request.negativePrompt));
        setSeedMode(SeedMode::Locked);
        m_seedEdit->setText(QString::number(request.seed));
        m_stepsSpin->setValue(request.steps);
        {
            const QScopedValueRollback settingSize(m_settingSize, true);
            m_widthSpin->setValue(request.width);
            m_heightSpin->setValue(request.height);
        }
        m_roundedNote.clear();
        selectPresetForSize();
        m_guidanceSpin->setValue(request.guidance);
        m_batchSpin->setValue(std::clamp(static_cast<int>(request.prompts.size()), 1, kMaxBatch));
    }
    // Other programs (and the command line) allow more than these controls: say what changed, do not hide it.
    m_restoreAdjustments.clear();
    if (request.sigmas.empty() && request.steps > kMaxSteps)
        m_restoreAdjustments
            << tr("The restored image used %1 steps; Steps allows at most %2.").arg(request.steps).arg(kMaxSteps);
    if (request.guidance > kMaxGuidance)
        m_restoreAdjustments
            << tr("The restored guidance %1 is above the maximum of %2 here.").arg(request.guidance).arg(kMaxGuidance);
    refresh();
}

void GenerationForm::resetExtras() {
    if (!m_restored)
        return;
    m_restored.reset();
    m_restoreAdjustments.clear();
    onUserEdit();
}

void GenerationForm::setDefaultNoiseSource(NoiseSource source) {
    m_defaultNoise = source;
    refresh();
}

void GenerationForm::setLastSeed(std::uint64_t seed) {
    m_lastSeed = seed;
    m_reuseSeedButton->setEnabled(true);
    m_reuseSeedButton->setToolTip(tr("Use seed %1 of the last generation and lock it.").arg(seed));
}

void GenerationForm::setBusy(bool busy) {
    m_busy = busy;
    refresh();
}

void GenerationForm::setModelReady(bool ready) {
    m_modelReady = ready;
    refresh();
}

GenerationForm::SeedMode GenerationForm::seedMode() const {
    return m_seedLockedButton->isChecked() ? SeedMode::Locked : SeedMode::Random;
}

void GenerationForm::setSeedMode(SeedMode mode) {
    (mode == SeedMode::Locked ? m_seedLockedButton : m_seedRandomButton)->setChecked(true);
}

QStringList GenerationForm::problems() const {
    return collectProblems().all();
}

GenerationForm::Problems GenerationForm::collectProblems() const {
    Problems problems;
    if (m_promptEdit->toPlainText().trimmed().isEmpty())
        problems.prompt = tr("Enter a prompt.");
    if (seedMode() == SeedMode::Locked)
        parseSeed(&problems.seed);
    if (!m_stepsSpin->hasAcceptableInput())
        problems.steps = tr("Enter a number of steps from %1 to %2.").arg(kMinSteps).arg(kMaxSteps);
    QStringList sizeProblems;
    if (!m_widthSpin->hasAcceptableInput())
        sizeProblems << tr("Enter a width from %1 to %2 pixels.").arg(kMinImageSide).arg(kMaxImageSide);
    if (!m_heightSpin->hasAcceptableInput())
        sizeProblems << tr("Enter a height from %1 to %2 pixels.").arg(kMinImageSide).arg(kMaxImageSide);
    problems.size = sizeProblems.join(QLatin1Char('\n'));
    if (!m_guidanceSpin->hasAcceptableInput())
        problems.guidance = tr("Enter a guidance from 0 to %1.").arg(kMaxGuidance);
    if (!m_batchSpin->hasAcceptableInput())
        problems.batch = tr("Enter a batch count from 1 to %1.").arg(kMaxBatch);
    // The engine's own check last: the controls keep their values in range, so what it still finds comes from
    // restored fields without a control (CFG options, sigmas, sequence length). Its sentences are not translated.
    for (const std::string& problem : request().validate())
        problems.request << QString::fromStdString(problem);
    return problems;
}

std::optional<std::uint64_t> GenerationForm::parseSeed(QString* problem) const {
    const QString text = m_seedEdit->text().trimmed();
    const auto fail = [problem](const QString& why) -> std::optional<std::uint64_t> {
        if (problem)
            *problem = why;
        return std::nullopt;
    };
    if (text.isEmpty())
        return fail(tr("Enter a seed, or choose Random."));
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t value = 0;
    bool tooLarge = false;
    // Any script's decimal digits, so full-width digits typed with a Chinese input method are read too.
    for (const QChar c : text) {
        if (c.category() != QChar::Number_DecimalDigit)
            return fail(
                tr("“%1” is not a seed: enter a whole number from 0 to %2.").arg(shortened(text), maxSeedText()));
        const auto digit = static_cast<std::uint64_t>(c.digitValue());
        if (value > (kMax - digit) / 10)
            tooLarge = true;
        else
            value = value * 10 + digit;
    }
    if (tooLarge)
        return fail(tr("%1 is larger than the largest seed, %2.").arg(shortened(text), maxSeedText()));
    return value;
}

QString GenerationForm::sizeNote() const {
    if (!m_roundedNote.isEmpty())
        return m_roundedNote;
    const int width = m_widthSpin->value();
    const int height = m_heightSpin->value();
    const int snappedWidth = snapImageSide(width);
    const int snappedHeight = snapImageSide(height);
    QStringList lines;
    if (width != snappedWidth)
        lines << tr("Width %1 is not a multiple of 16: it will be generated at %2 × %3.")
                     .arg(width)
                     .arg(snappedWidth)
                     .arg(snappedHeight);
    if (height != snappedHeight)
        lines << tr("Height %1 is not a multiple of 16: it will be generated at %2 × %3.")
                     .arg(height)
                     .arg(snappedWidth)
                     .arg(snappedHeight);
    return lines.join(QLatin1Char('\n'));
}

QString GenerationForm::batchNote() const {
    const int count = m_batchSpin->value();
    if (count < 2)
        return {};
    const std::optional<std::uint64_t> seed = parseSeed(nullptr);
    if (seedMode() == SeedMode::Random || !seed)
        return tr("Image 2 uses the seed plus 1, image 3 the seed plus 2, and so on.");
    // Seeds wrap around after the largest, as the engine's seed + i does.
    return tr("The images use seeds %1 to %2.").arg(*seed).arg(*seed + static_cast<std::uint64_t>(count - 1));
}

QString GenerationForm::extrasNote() const {
    if (!m_restored)
        return {};
    QStringList lines;
    if (m_restored->noise != m_defaultNoise)
        lines << tr("Uses %1 noise like the restored image, not %2 noise from your settings: the same seed gives a "
                    "different image with each.")
                     .arg(noiseSourceLabel(m_restored->noise), noiseSourceLabel(m_defaultNoise));
    if (!m_restored->sigmas.empty())
        lines << tr("Uses the restored image's own sigma schedule, so Steps has no effect.");
    return (lines + m_restoreAdjustments).join(QLatin1Char('\n'));
}

void GenerationForm::onUserEdit() {
    if (!m_quiet)
        m_restoreAdjustments.clear(); // they explained the restore; after an edit they would confuse
    refresh();
    if (!m_quiet)
        Q_EMIT requestEdited();
}

void GenerationForm::onSeedTyped(const QString& text) {
    // Typing a seed means wanting that seed (random mode would replace it on the next Generate); emptying the field
    // means wanting none.
    setSeedMode(text.trimmed().isEmpty() ? SeedMode::Random : SeedMode::Locked);
}

void GenerationForm::onSizeEdited() {
    if (m_settingSize)
        return;
    m_roundedNote.clear();
    selectPresetForSize();
    onUserEdit();
}

void GenerationForm::onPresetChosen(int comboIndex) {
    if (m_settingSize)
        return;
    const int preset = m_sizeCombo->itemData(comboIndex, kPresetRole).toInt();
    if (preset < 0)
        return; // Custom: the fields keep their values for editing
    const SizePreset& size = sizePresets()[static_cast<std::size_t>(preset)];
    {
        const QScopedValueRollback settingSize(m_settingSize, true);
        m_widthSpin->setValue(size.width);
        m_heightSpin->setValue(size.height);
    }
    m_roundedNote.clear();
    onUserEdit();
}

void GenerationForm::snapSizes() {
    QStringList lines;
    for (QSpinBox* spin : {m_widthSpin, m_heightSpin}) {
        const int side = spin->value();
        const int snapped = snapImageSide(side);
        if (side == snapped)
            continue;
        lines << (spin == m_widthSpin ? tr("Width %1 was changed to %2: sides must be multiples of 16 for the model.")
                                      : tr("Height %1 was changed to %2: sides must be multiples of 16 for the model."))
                     .arg(side)
                     .arg(snapped);
        const QScopedValueRollback settingSize(m_settingSize, true);
        spin->setValue(snapped);
    }
    if (lines.isEmpty())
        return;
    // Kept until the next size edit, so the person sees why the number changed under their cursor.
    m_roundedNote = lines.join(QLatin1Char('\n'));
    selectPresetForSize();
    refresh();
}

void GenerationForm::selectPresetForSize() {
    const std::optional<std::size_t> preset = findSizePreset(m_widthSpin->value(), m_heightSpin->value());
    const int wanted = preset ? static_cast<int>(*preset) : kCustomItem;
    const QScopedValueRollback settingSize(m_settingSize, true);
    m_sizeCombo->setCurrentIndex(m_sizeCombo->findData(wanted, kPresetRole));
}

void GenerationForm::reuseLastSeed() {
    if (!m_lastSeed)
        return;
    setSeedMode(SeedMode::Locked);
    m_seedEdit->setText(QString::number(*m_lastSeed));
}

void GenerationForm::swapSize() {
    const int width = m_widthSpin->value();
    {
        const QScopedValueRollback settingSize(m_settingSize, true);
        m_widthSpin->setValue(m_heightSpin->value());
        m_heightSpin->setValue(width);
    }
    onSizeEdited();
}

void GenerationForm::triggerGenerate() {
    if (!m_busy && m_modelReady && isValid())
        Q_EMIT generateRequested();
}

void GenerationForm::triggerCancel() {
    if (m_busy)
        Q_EMIT cancelRequested();
}

void GenerationForm::refresh() {
    const Problems problems = collectProblems();
    showProblem(m_promptProblem, m_promptEdit, problems.prompt);
    showProblem(m_seedProblem, m_seedEdit, problems.seed);
    showProblem(m_stepsProblem, m_stepsSpin, problems.steps);
    showProblem(m_sizeProblem, m_widthSpin, problems.size);
    m_heightSpin->setAccessibleDescription(problems.size);
    showProblem(m_guidanceProblem, m_guidanceSpin, problems.guidance);
    showProblem(m_batchProblem, m_batchSpin, problems.batch);
    showProblem(m_requestProblem, m_generateButton, problems.request.join(QLatin1Char('\n')));

    showNote(m_negativeNote, m_guidanceSpin->value() > 0.0
                                 ? QString()
                                 : tr("Used only when guidance is above 0; Z-Image-Turbo runs without guidance."));
    showNote(m_sizeNote, sizeNote());
    showNote(m_batchNote, batchNote());
    showNote(m_extrasNote, extrasNote());
    m_resetExtrasButton->setVisible(m_restored && (m_restored->noise != m_defaultNoise || !m_restored->sigmas.empty()));
    m_seedEdit->setPlaceholderText(seedMode() == SeedMode::Random ? tr("Drawn on Generate") : tr("Enter a seed"));

    const QStringList all = problems.all();
    const bool valid = all.isEmpty();
    m_generateButton->setEnabled(valid && !m_busy && m_modelReady);
    showNote(m_modelNote, m_modelReady ? QString() : tr("Generate becomes available once the model has loaded."));
    const QString shortcut = QKeySequence(Qt::CTRL | Qt::Key_Return).toString(QKeySequence::NativeText);
    m_generateButton->setToolTip(
        valid ? tr("Generate (%1).").arg(shortcut)
              : tr("Generate (%1) after fixing this:\n%2").arg(shortcut, all.join(QLatin1Char('\n'))));
    m_cancelButton->setEnabled(m_busy);
    m_cancelShortcut->setEnabled(m_busy);

    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

void GenerationForm::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyNoteColors();
}

void GenerationForm::applyNoteColors() {
    // Qt 6.4 has no palette role for errors: a red that reads on the current background, dark theme or light.
    const bool darkTheme = palette().color(QPalette::Window).lightness() < 128;
    const QColor errorColor = darkTheme ? QColor(0xff, 0x8a, 0x80) : QColor(0xb3, 0x26, 0x1e);
    const QColor hintColor = palette().color(QPalette::PlaceholderText);
    for (QLabel* label : {m_promptProblem, m_seedProblem, m_stepsProblem, m_sizeProblem, m_guidanceProblem,
                          m_batchProblem, m_requestProblem}) {
        QPalette colors = label->palette();
        colors.setColor(QPalette::WindowText, errorColor);
        label->setPalette(colors);
    }
    for (QLabel* label : {m_negativeNote, m_sizeNote, m_guidanceHint, m_batchNote, m_extrasNote, m_modelNote}) {
        QPalette colors = label->palette();
        colors.setColor(QPalette::WindowText, hintColor);
        label->setPalette(colors);
    }
}

} // namespace zimage::ui
