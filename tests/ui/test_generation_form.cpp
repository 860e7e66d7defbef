// The "Create" form (ui/generation_form.h) and its size table (ui/size_presets.h), driven through its controls by
// object name as a person would: typing, clicking, shortcuts. Expected values come from the task's specification
// (Z-Image-Turbo defaults: 8 steps, guidance 0; sides multiples of 16 in [kMinImageSide, kMaxImageSide], rounded by
// zimage::snapImageSide), from the Tongyi-MAI Z-Image demo's size table, and from the values each test sets.

#include "generation_form.h"
#include "size_presets.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QInputMethodEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTest>
#include <QToolButton>

#include <limits>
#include <set>
#include <utility>

using zimage::GenerationRequest;
using zimage::NoiseSource;
using zimage::ui::GenerationForm;
using zimage::ui::SizePreset;

namespace {

template <typename T>
T* child(const GenerationForm& form, const char* name) {
    T* widget = form.findChild<T*>(QString::fromLatin1(name));
    if (!widget)
        qFatal("GenerationForm has no %s", name);
    return widget;
}

QString labelText(const GenerationForm& form, const char* name) {
    const auto* label = child<QLabel>(form, name);
    return label->isHidden() ? QString() : label->text();
}

// Replaces a spin box's text by typing, as a person does (select all, type), without finishing the edit.
void typeInto(QAbstractSpinBox* spin, const QString& text) {
    spin->selectAll();
    if (text.isEmpty())
        QTest::keyClick(spin, Qt::Key_Backspace);
    else
        QTest::keyClicks(spin, text);
}

void typeInto(QLineEdit* edit, const QString& text) {
    edit->selectAll();
    if (text.isEmpty())
        QTest::keyClick(edit, Qt::Key_Backspace);
    else
        QTest::keyClicks(edit, text);
}

void setPrompt(GenerationForm& form, const QString& text) {
    child<QPlainTextEdit>(form, "promptEdit")->setPlainText(text);
}

int comboIndexOf(const GenerationForm& form, int width, int height) {
    const auto index = zimage::ui::findSizePreset(width, height);
    if (!index)
        return -1;
    return child<QComboBox>(form, "sizeCombo")->findData(static_cast<int>(*index), Qt::UserRole);
}

bool isCustom(const GenerationForm& form) {
    return child<QComboBox>(form, "sizeCombo")->currentData(Qt::UserRole).toInt() == -1;
}

// A request with every field away from its default, extras included.
GenerationRequest fullRequest() {
    GenerationRequest request;
    request.prompts = {"a red fox in fresh snow", "a red fox in fresh snow", "a red fox in fresh snow"};
    request.negativePrompt = "blurry, watermark";
    request.seed = 9'876'543'210'123ULL;
    request.steps = 12;
    request.sigmas = {1.0, 0.75, 0.5, 0.25, 0.0};
    request.width = 1248;
    request.height = 832;
    request.guidance = 4.25;
    request.cfgNormalization = 0.75;
    request.cfgTruncation = 0.5;
    request.maxSequenceLength = 256;
    request.noise = NoiseSource::Cuda;
    request.device = zimage::DeviceChoice::Cuda;
    request.precision = zimage::Precision::Bf16;
    return request;
}

void compareRequests(const GenerationRequest& actual, const GenerationRequest& expected) {
    QCOMPARE(actual.prompts, expected.prompts);
    QCOMPARE(actual.negativePrompt, expected.negativePrompt);
    QCOMPARE(actual.seed, expected.seed);
    QCOMPARE(actual.steps, expected.steps);
    QCOMPARE(actual.sigmas, expected.sigmas);
    QCOMPARE(actual.width, expected.width);
    QCOMPARE(actual.height, expected.height);
    QCOMPARE(actual.guidance, expected.guidance);
    QCOMPARE(actual.cfgNormalization, expected.cfgNormalization);
    QCOMPARE(actual.cfgTruncation, expected.cfgTruncation);
    QCOMPARE(actual.maxSequenceLength, expected.maxSequenceLength);
    QVERIFY(actual.noise == expected.noise);
    QVERIFY(actual.device == expected.device);
    QVERIFY(actual.precision == expected.precision);
}

} // namespace

class TestGenerationForm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void presetTableIsConsistent();
    void presetTableMatchesTheDemo();
    void defaults();
    void emptyPromptIsAProblem();
    void seedValidation_data();
    void seedValidation();
    void typingASeedLocksIt();
    void spinBoxesExplainTextThatIsNotAValue();
    void spinBoxRanges();
    void widthNotAMultipleOf16IsExplainedAndSnapped();
    void takeRequestSnapsPendingSizes();
    void presetChoiceSetsBothSides();
    void editingASideSwitchesToCustom();
    void swapPicksTheTransposedPreset();
    void negativeNoteFollowsGuidance();
    void batchCountInRequest();
    void generateAndCancelFollowValidityAndBusy();
    void ctrlEnterFromThePromptGeneratesOnlyWhenValid();
    void escapeCancelsOnlyWhenBusy();
    void randomModeDrawsAndShowsNewSeeds();
    void lockedModeKeepsTheSeed();
    void reuseLastSeed();
    void setRequestRoundTripsEveryField();
    void extrasSurviveEditsUntilReset();
    void restoredNoiseSourceIsNoted();
    void restoredValuesOutsideTheControlsAreExplained();
    void setRequestSelectsPresetOrCustom();
    void chinesePromptRoundTrips();
    void engineCheckCatchesRestoredExtras();
    void requestEditedOnlyForUserEdits();
};

// Every preset must be a size the engine accepts (GenerationRequest::validate: multiple of 16, within limits), carry
// its labelled aspect ratio exactly, and have about its class's pixel count (the demo's 21:9 sizes are the smallest, at
// 74 % of the square).
void TestGenerationForm::presetTableIsConsistent() {
    const auto presets = zimage::ui::sizePresets();
    std::set<std::pair<int, int>> seen;
    for (std::size_t i = 0; i < presets.size(); ++i) {
        const SizePreset& preset = presets[i];
        const QByteArray what = QByteArray::number(preset.width) + 'x' + QByteArray::number(preset.height);
        QVERIFY2(preset.width % zimage::kImageSideMultiple == 0, what.constData());
        QVERIFY2(preset.height % zimage::kImageSideMultiple == 0, what.constData());
        QVERIFY2(preset.width >= zimage::kMinImageSide && preset.width <= zimage::kMaxImageSide, what.constData());
        QVERIFY2(preset.height >= zimage::kMinImageSide && preset.height <= zimage::kMaxImageSide, what.constData());
        QVERIFY2(preset.width * preset.aspectHeight == preset.height * preset.aspectWidth, what.constData());
        const double share = double(preset.width) * preset.height / (double(preset.sizeClass) * preset.sizeClass);
        QVERIFY2(share > 0.7 && share <= 1.0, what.constData());
        QVERIFY2(seen.insert({preset.width, preset.height}).second, what.constData());
        QVERIFY(zimage::ui::findSizePreset(preset.width, preset.height) == i);
        // Every landscape size has its portrait twin in the same class.
        const auto twin = zimage::ui::findSizePreset(preset.height, preset.width);
        QVERIFY2(twin && presets[*twin].sizeClass == preset.sizeClass, what.constData());
        if (i > 0)
            QVERIFY(presets[i - 1].sizeClass <= preset.sizeClass);
    }
    QCOMPARE(presets.size(), std::size_t(33));
    QVERIFY(!zimage::ui::findSizePreset(1000, 1000));
    QVERIFY(!zimage::ui::findSizePreset(1024, 1008));
}

// The sizes of the task's table (the demo's RES_CHOICES), a sample from each class and both orientations.
void TestGenerationForm::presetTableMatchesTheDemo() {
    for (const auto& [width, height] : {std::pair{1024, 1024},
                                        {1152, 896},
                                        {896, 1152},
                                        {1248, 832},
                                        {832, 1248},
                                        {1280, 720},
                                        {720, 1280},
                                        {1344, 576},
                                        {576, 1344},
                                        {1440, 1120},
                                        {1536, 864},
                                        {1680, 720},
                                        {1728, 1296},
                                        {2048, 1152},
                                        {864, 2016}})
        QVERIFY2(zimage::ui::findSizePreset(width, height),
                 qPrintable(QStringLiteral("%1x%2 missing").arg(width).arg(height)));
    const std::vector<int> classes(zimage::ui::sizeClasses().begin(), zimage::ui::sizeClasses().end());
    QCOMPARE(classes, (std::vector<int>{1024, 1280, 1536}));
}

void TestGenerationForm::defaults() {
    GenerationForm form;
    QCOMPARE(child<QSpinBox>(form, "stepsSpin")->value(), 8);
    QCOMPARE(child<QDoubleSpinBox>(form, "guidanceSpin")->value(), 0.0);
    QCOMPARE(child<QSpinBox>(form, "batchSpin")->value(), 1);
    QCOMPARE(child<QSpinBox>(form, "widthSpin")->value(), 1024);
    QCOMPARE(child<QSpinBox>(form, "heightSpin")->value(), 1024);
    QCOMPARE(child<QComboBox>(form, "sizeCombo")->currentIndex(), comboIndexOf(form, 1024, 1024));
    QVERIFY(form.seedMode() == GenerationForm::SeedMode::Random);
    QVERIFY(child<QToolButton>(form, "seedModeRandom")->isChecked());
    QVERIFY(!child<QToolButton>(form, "reuseSeedButton")->isEnabled());

    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    const GenerationRequest request = form.request();
    const GenerationRequest engineDefaults;
    QCOMPARE(request.steps, 8);
    QCOMPARE(request.guidance, 0.0);
    QCOMPARE(request.prompts.size(), std::size_t(1));
    QCOMPARE(request.cfgTruncation, engineDefaults.cfgTruncation);
    QCOMPARE(request.maxSequenceLength, engineDefaults.maxSequenceLength);
    QVERIFY(request.sigmas.empty());
    QVERIFY(request.noise == NoiseSource::Cpu);
    form.setDefaultNoiseSource(NoiseSource::Cuda);
    QVERIFY(form.request().noise == NoiseSource::Cuda);
}

void TestGenerationForm::emptyPromptIsAProblem() {
    GenerationForm form;
    QSignalSpy validity(&form, &GenerationForm::validityChanged);
    QVERIFY(!form.isValid());
    QCOMPARE(labelText(form, "promptProblemLabel"), QStringLiteral("Enter a prompt."));
    QCOMPARE(child<QPlainTextEdit>(form, "promptEdit")->accessibleDescription(), QStringLiteral("Enter a prompt."));

    QTest::keyClicks(child<QPlainTextEdit>(form, "promptEdit"), QStringLiteral("   "));
    QVERIFY(!form.isValid());
    QCOMPARE(validity.count(), 0);

    QTest::keyClicks(child<QPlainTextEdit>(form, "promptEdit"), QStringLiteral("cat"));
    QVERIFY(form.isValid());
    QVERIFY(form.problems().isEmpty());
    QVERIFY(labelText(form, "promptProblemLabel").isEmpty());
    QCOMPARE(validity.count(), 1);
    QCOMPARE(validity.at(0).at(0).toBool(), true);
}

void TestGenerationForm::seedValidation_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<quint64>("seed");
    QTest::addColumn<QString>("problem"); // a part of the expected explanation

    QTest::newRow("zero") << QStringLiteral("0") << true << quint64(0) << QString();
    QTest::newRow("spaces around") << QStringLiteral(" 42 ") << true << quint64(42) << QString();
    QTest::newRow("largest") << QStringLiteral("18446744073709551615") << true << std::numeric_limits<quint64>::max()
                             << QString();
    QTest::newRow("full-width digits") << QStringLiteral("４２") << true << quint64(42) << QString();
    QTest::newRow("one above largest") << QStringLiteral("18446744073709551616") << false << quint64(0)
                                       << QStringLiteral("larger than the largest seed, 18446744073709551615");
    QTest::newRow("letters") << QStringLiteral("abc") << false << quint64(0) << QStringLiteral("“abc” is not a seed");
    QTest::newRow("negative") << QStringLiteral("-1") << false << quint64(0) << QStringLiteral("is not a seed");
    QTest::newRow("decimal") << QStringLiteral("1.5") << false << quint64(0) << QStringLiteral("whole number");
    QTest::newRow("empty") << QString() << false << quint64(0) << QStringLiteral("Enter a seed");
}

void TestGenerationForm::seedValidation() {
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(quint64, seed);
    QFETCH(QString, problem);

    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    form.setSeedMode(GenerationForm::SeedMode::Locked);
    child<QLineEdit>(form, "seedEdit")->setText(text);
    QCOMPARE(form.isValid(), valid);
    QCOMPARE(child<QPushButton>(form, "generateButton")->isEnabled(), valid);
    if (valid) {
        QCOMPARE(form.request().seed, std::uint64_t(seed));
        QVERIFY(labelText(form, "seedProblemLabel").isEmpty());
    } else {
        QVERIFY2(labelText(form, "seedProblemLabel").contains(problem),
                 qPrintable(labelText(form, "seedProblemLabel")));
        QCOMPARE(form.problems().size(), 1);
        // In random mode the field is replaced on Generate, so what it holds is no problem.
        form.setSeedMode(GenerationForm::SeedMode::Random);
        QVERIFY(form.isValid());
    }
}

void TestGenerationForm::typingASeedLocksIt() {
    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    typeInto(child<QLineEdit>(form, "seedEdit"), QStringLiteral("12x"));
    QVERIFY(form.seedMode() == GenerationForm::SeedMode::Locked);
    QVERIFY(child<QToolButton>(form, "seedModeLocked")->isChecked());
    QVERIFY(labelText(form, "seedProblemLabel").contains(QStringLiteral("“12x” is not a seed")));
    QVERIFY(!child<QPushButton>(form, "generateButton")->isEnabled());
    QTest::keyClick(child<QLineEdit>(form, "seedEdit"), Qt::Key_Backspace);
    QVERIFY(form.isValid());
    QCOMPARE(form.request().seed, std::uint64_t(12));
    // Emptying the field asks for a drawn seed again.
    typeInto(child<QLineEdit>(form, "seedEdit"), QString());
    QVERIFY(form.seedMode() == GenerationForm::SeedMode::Random);
    QVERIFY(form.isValid());
}

// A spin box whose text is no value keeps its old value; the form must not silently generate with that.
void TestGenerationForm::spinBoxesExplainTextThatIsNotAValue() {
    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    const std::pair<const char*, const char*> controls[] = {{"stepsSpin", "stepsProblemLabel"},
                                                            {"widthSpin", "sizeProblemLabel"},
                                                            {"heightSpin", "sizeProblemLabel"},
                                                            {"guidanceSpin", "guidanceProblemLabel"},
                                                            {"batchSpin", "batchProblemLabel"}};
    for (const auto& [spinName, labelName] : controls) {
        auto* spin = child<QAbstractSpinBox>(form, spinName);
        typeInto(spin, QString());
        QVERIFY2(!form.isValid(), spinName);
        QVERIFY2(!labelText(form, labelName).isEmpty(), spinName);
        QVERIFY2(!child<QPushButton>(form, "generateButton")->isEnabled(), spinName);
        typeInto(spin, QStringLiteral("2"));
        if (QByteArray(spinName) == "widthSpin" || QByteArray(spinName) == "heightSpin") {
            // 2 is below the smallest side (64): still no value.
            QVERIFY2(labelText(form, labelName).contains(QStringLiteral("from 64 to 4096")), spinName);
            typeInto(spin, QStringLiteral("512"));
        }
        QVERIFY2(form.isValid(), spinName);
        QVERIFY2(labelText(form, labelName).isEmpty(), spinName);
    }
    QCOMPARE(form.request().steps, 2);
    QCOMPARE(form.request().width, 512);
    QCOMPARE(form.request().height, 512);
    QCOMPARE(form.request().guidance, 2.0);
    QCOMPARE(form.request().prompts.size(), std::size_t(2));
}

// The ranges of the task: steps 1..100, sides kMinImageSide..kMaxImageSide, guidance 0..20 by 0.5, batch 1..kMaxBatch.
void TestGenerationForm::spinBoxRanges() {
    GenerationForm form;
    auto* steps = child<QSpinBox>(form, "stepsSpin");
    QCOMPARE(std::pair(steps->minimum(), steps->maximum()), std::pair(1, 100));
    for (const char* name : {"widthSpin", "heightSpin"}) {
        auto* side = child<QSpinBox>(form, name);
        QCOMPARE(std::pair(side->minimum(), side->maximum()), std::pair(zimage::kMinImageSide, zimage::kMaxImageSide));
    }
    auto* guidance = child<QDoubleSpinBox>(form, "guidanceSpin");
    QCOMPARE(std::pair(guidance->minimum(), guidance->maximum()), std::pair(0.0, 20.0));
    QCOMPARE(guidance->singleStep(), 0.5);
    auto* batch = child<QSpinBox>(form, "batchSpin");
    QCOMPARE(std::pair(batch->minimum(), batch->maximum()), std::pair(1, zimage::kMaxBatch));
    // Typing past the maximum is refused, not clamped later.
    typeInto(steps, QStringLiteral("150"));
    QCOMPARE(steps->value(), 15);
}

void TestGenerationForm::widthNotAMultipleOf16IsExplainedAndSnapped() {
    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    auto* width = child<QSpinBox>(form, "widthSpin");
    typeInto(width, QStringLiteral("1000"));
    QCOMPARE(width->value(), 1000);
    // snapImageSide(1000) == 1008 (nearest multiple of 16); the height stays 1024.
    QCOMPARE(labelText(form, "sizeNoteLabel"),
             QStringLiteral("Width 1000 is not a multiple of 16: it will be generated at 1008 × 1024."));
    QVERIFY(form.isValid());
    QCOMPARE(form.request().width, 1008);
    QVERIFY(isCustom(form));

    QSignalSpy finished(width, &QSpinBox::editingFinished);
    QTest::keyClick(width, Qt::Key_Return);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(width->value(), 1008);
    // The explanation stays after the change, so the person sees why the number changed.
    QVERIFY(labelText(form, "sizeNoteLabel").contains(QStringLiteral("Width 1000 was changed to 1008")));
    QCOMPARE(form.request().width, 1008);

    // Until the next edit of a side.
    typeInto(width, QStringLiteral("1152"));
    QVERIFY(labelText(form, "sizeNoteLabel").isEmpty());

    auto* height = child<QSpinBox>(form, "heightSpin");
    typeInto(height, QStringLiteral("70"));
    // snapImageSide(70) == 64.
    QVERIFY(labelText(form, "sizeNoteLabel").contains(QStringLiteral("Height 70 is not a multiple of 16")));
    QVERIFY(labelText(form, "sizeNoteLabel").contains(QStringLiteral("1152 × 64")));
}

void TestGenerationForm::takeRequestSnapsPendingSizes() {
    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    typeInto(child<QSpinBox>(form, "heightSpin"), QStringLiteral("1000"));
    const GenerationRequest request = form.takeRequest();
    QCOMPARE(request.height, 1008);
    QCOMPARE(child<QSpinBox>(form, "heightSpin")->value(), 1008);
    QVERIFY(request.validate().empty());
}

void TestGenerationForm::presetChoiceSetsBothSides() {
    GenerationForm form;
    auto* combo = child<QComboBox>(form, "sizeCombo");
    const int index = comboIndexOf(form, 1248, 832);
    QVERIFY(index >= 0);
    QCOMPARE(combo->itemText(index), QStringLiteral("1248 × 832 (3:2)"));
    combo->setCurrentIndex(index);
    QCOMPARE(child<QSpinBox>(form, "widthSpin")->value(), 1248);
    QCOMPARE(child<QSpinBox>(form, "heightSpin")->value(), 832);

    // Every preset is in the list once, each class behind a header that cannot be chosen.
    const auto* items = qobject_cast<const QStandardItemModel*>(combo->model());
    int presets = 0;
    int headers = 0;
    for (int row = 0; row < combo->count(); ++row) {
        const int data = combo->itemData(row, Qt::UserRole).toInt();
        if (data >= 0)
            ++presets;
        if (data == -2) {
            ++headers;
            QVERIFY(!(items->item(row)->flags() & Qt::ItemIsEnabled));
        }
    }
    QCOMPARE(presets, 33);
    QCOMPARE(headers, 3);
    QCOMPARE(combo->findText(QStringLiteral("2048 × 1152 (16:9)")), comboIndexOf(form, 2048, 1152));
}

void TestGenerationForm::editingASideSwitchesToCustom() {
    GenerationForm form;
    child<QComboBox>(form, "sizeCombo")->setCurrentIndex(comboIndexOf(form, 1152, 896));
    typeInto(child<QSpinBox>(form, "heightSpin"), QStringLiteral("912"));
    QVERIFY(isCustom(form));
    QCOMPARE(child<QSpinBox>(form, "widthSpin")->value(), 1152);
    // Choosing Custom keeps the sides for editing.
    auto* combo = child<QComboBox>(form, "sizeCombo");
    combo->setCurrentIndex(combo->findData(-1, Qt::UserRole));
    QCOMPARE(child<QSpinBox>(form, "heightSpin")->value(), 912);
    // Typing a preset's size back selects that preset.
    typeInto(child<QSpinBox>(form, "heightSpin"), QStringLiteral("896"));
    QCOMPARE(combo->currentIndex(), comboIndexOf(form, 1152, 896));
}

void TestGenerationForm::swapPicksTheTransposedPreset() {
    GenerationForm form;
    child<QComboBox>(form, "sizeCombo")->setCurrentIndex(comboIndexOf(form, 1344, 576));
    QTest::mouseClick(child<QToolButton>(form, "swapSizeButton"), Qt::LeftButton);
    QCOMPARE(child<QSpinBox>(form, "widthSpin")->value(), 576);
    QCOMPARE(child<QSpinBox>(form, "heightSpin")->value(), 1344);
    QCOMPARE(child<QComboBox>(form, "sizeCombo")->currentIndex(), comboIndexOf(form, 576, 1344));
}

void TestGenerationForm::negativeNoteFollowsGuidance() {
    GenerationForm form;
    QVERIFY(labelText(form, "negativeNoteLabel").contains(QStringLiteral("only when guidance is above 0")));
    QVERIFY(labelText(form, "guidanceHintLabel").startsWith(QStringLiteral("0 for Turbo")));
    auto* guidance = child<QDoubleSpinBox>(form, "guidanceSpin");
    guidance->setValue(3.5);
    QVERIFY(labelText(form, "negativeNoteLabel").isEmpty());
    QVERIFY(child<QPlainTextEdit>(form, "negativeEdit")->isEnabled());
    guidance->setValue(0.0);
    QVERIFY(!labelText(form, "negativeNoteLabel").isEmpty());
}

void TestGenerationForm::batchCountInRequest() {
    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    form.setSeedMode(GenerationForm::SeedMode::Locked);
    child<QLineEdit>(form, "seedEdit")->setText(QStringLiteral("10"));
    typeInto(child<QSpinBox>(form, "batchSpin"), QStringLiteral("3"));
    const GenerationRequest request = form.request();
    QCOMPARE(request.prompts, (std::vector<std::string>(3, "a lighthouse at dusk")));
    QCOMPARE(request.seed, std::uint64_t(10));
    // The engine's rule: image i uses seed + i.
    QCOMPARE(labelText(form, "batchNoteLabel"), QStringLiteral("The images use seeds 10 to 12."));
    typeInto(child<QSpinBox>(form, "batchSpin"), QStringLiteral("1"));
    QVERIFY(labelText(form, "batchNoteLabel").isEmpty());
}

void TestGenerationForm::generateAndCancelFollowValidityAndBusy() {
    GenerationForm form;
    auto* generate = child<QPushButton>(form, "generateButton");
    auto* cancel = child<QPushButton>(form, "cancelButton");
    QSignalSpy generated(&form, &GenerationForm::generateRequested);
    QSignalSpy cancelled(&form, &GenerationForm::cancelRequested);
    QVERIFY(!generate->isEnabled());
    QVERIFY(!cancel->isEnabled());
    QVERIFY(generate->toolTip().contains(QStringLiteral("Enter a prompt.")));

    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    QVERIFY(generate->isEnabled());
    QTest::mouseClick(generate, Qt::LeftButton);
    QCOMPARE(generated.count(), 1);

    form.setBusy(true);
    QVERIFY(!generate->isEnabled());
    QVERIFY(cancel->isEnabled());
    QVERIFY(form.isValid());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(cancelled.count(), 1);
    // The fields stay editable for the next job.
    QVERIFY(child<QPlainTextEdit>(form, "promptEdit")->isEnabled());

    setPrompt(form, QString());
    form.setBusy(false);
    QVERIFY(!generate->isEnabled());
    QVERIFY(!cancel->isEnabled());
    QCOMPARE(generated.count(), 1);

    // Without a loaded model the form can be valid, but Generate waits and says why.
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    form.setModelReady(false);
    QVERIFY(form.isValid());
    QVERIFY(!generate->isEnabled());
    QVERIFY(!labelText(form, "modelNoteLabel").isEmpty());
    form.setModelReady(true);
    QVERIFY(generate->isEnabled());
    QVERIFY(labelText(form, "modelNoteLabel").isEmpty());
}

void TestGenerationForm::ctrlEnterFromThePromptGeneratesOnlyWhenValid() {
    GenerationForm form;
    form.show();
    form.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&form));
    auto* prompt = child<QPlainTextEdit>(form, "promptEdit");
    prompt->setFocus();
    QSignalSpy generated(&form, &GenerationForm::generateRequested);

    QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(generated.count(), 0);

    QTest::keyClicks(prompt, QStringLiteral("a lighthouse"));
    QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(generated.count(), 1);
    QTest::keyClick(prompt, Qt::Key_Enter, Qt::ControlModifier | Qt::KeypadModifier);
    QCOMPARE(generated.count(), 2);
    // The shortcut took the key: no line break in the prompt.
    QCOMPARE(prompt->toPlainText(), QStringLiteral("a lighthouse"));

    // A plain Return still breaks the line.
    QTest::keyClick(prompt, Qt::Key_Return);
    QCOMPARE(prompt->toPlainText(), QStringLiteral("a lighthouse\n"));
    QCOMPARE(generated.count(), 2);

    form.setBusy(true);
    QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(generated.count(), 2);
    form.setBusy(false);
    form.setModelReady(false);
    QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(generated.count(), 2);
}

void TestGenerationForm::escapeCancelsOnlyWhenBusy() {
    GenerationForm form;
    form.show();
    form.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&form));
    auto* prompt = child<QPlainTextEdit>(form, "promptEdit");
    prompt->setFocus();
    QSignalSpy cancelled(&form, &GenerationForm::cancelRequested);
    QTest::keyClick(prompt, Qt::Key_Escape);
    QCOMPARE(cancelled.count(), 0);
    form.setBusy(true);
    QTest::keyClick(prompt, Qt::Key_Escape);
    QCOMPARE(cancelled.count(), 1);
    form.setBusy(false);
    QTest::keyClick(prompt, Qt::Key_Escape);
    QCOMPARE(cancelled.count(), 1);
}

void TestGenerationForm::randomModeDrawsAndShowsNewSeeds() {
    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    auto* seedEdit = child<QLineEdit>(form, "seedEdit");
    QVERIFY(seedEdit->text().isEmpty());
    QSignalSpy edited(&form, &GenerationForm::requestEdited);
    // request() shows, it does not draw.
    form.request();
    QVERIFY(seedEdit->text().isEmpty());

    std::set<std::uint64_t> seeds;
    for (int i = 0; i < 4; ++i) {
        const GenerationRequest request = form.takeRequest();
        QCOMPARE(seedEdit->text(), QString::number(request.seed));
        QCOMPARE(form.request().seed, request.seed);
        seeds.insert(request.seed);
    }
    // Four draws from 2^32 seeds: a repeat has a chance of about 1 in 700 million.
    QCOMPARE(seeds.size(), std::size_t(4));
    QVERIFY(form.seedMode() == GenerationForm::SeedMode::Random);
    QCOMPARE(edited.count(), 0);
}

void TestGenerationForm::lockedModeKeepsTheSeed() {
    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    QTest::mouseClick(child<QToolButton>(form, "seedModeLocked"), Qt::LeftButton);
    QVERIFY(form.seedMode() == GenerationForm::SeedMode::Locked);
    child<QLineEdit>(form, "seedEdit")->setText(QStringLiteral("1234"));
    QCOMPARE(form.takeRequest().seed, std::uint64_t(1234));
    QCOMPARE(form.takeRequest().seed, std::uint64_t(1234));
    QCOMPARE(child<QLineEdit>(form, "seedEdit")->text(), QStringLiteral("1234"));
}

void TestGenerationForm::reuseLastSeed() {
    GenerationForm form;
    setPrompt(form, QStringLiteral("a lighthouse at dusk"));
    auto* reuse = child<QToolButton>(form, "reuseSeedButton");
    QVERIFY(!reuse->isEnabled());
    form.takeRequest();
    form.setLastSeed(777);
    QVERIFY(reuse->isEnabled());
    QSignalSpy edited(&form, &GenerationForm::requestEdited);
    QTest::mouseClick(reuse, Qt::LeftButton);
    QCOMPARE(child<QLineEdit>(form, "seedEdit")->text(), QStringLiteral("777"));
    QVERIFY(form.seedMode() == GenerationForm::SeedMode::Locked);
    QCOMPARE(form.takeRequest().seed, std::uint64_t(777));
    QVERIFY(edited.count() > 0);
}

void TestGenerationForm::setRequestRoundTripsEveryField() {
    GenerationForm form;
    const GenerationRequest original = fullRequest();
    form.setRequest(original);
    QCOMPARE(child<QPlainTextEdit>(form, "promptEdit")->toPlainText(), QStringLiteral("a red fox in fresh snow"));
    QCOMPARE(child<QSpinBox>(form, "batchSpin")->value(), 3);
    QVERIFY(form.seedMode() == GenerationForm::SeedMode::Locked);
    QCOMPARE(child<QLineEdit>(form, "seedEdit")->text(), QStringLiteral("9876543210123"));
    QCOMPARE(child<QComboBox>(form, "sizeCombo")->currentIndex(), comboIndexOf(form, 1248, 832));
    compareRequests(form.request(), original);
    // takeRequest does not draw for a restored (locked) seed.
    compareRequests(form.takeRequest(), original);

    // The largest seed survives too.
    GenerationRequest largest = original;
    largest.seed = std::numeric_limits<std::uint64_t>::max();
    form.setRequest(largest);
    compareRequests(form.request(), largest);
}

void TestGenerationForm::extrasSurviveEditsUntilReset() {
    GenerationForm form;
    const GenerationRequest original = fullRequest();
    form.setRequest(original);
    child<QPlainTextEdit>(form, "promptEdit")->setPlainText(QStringLiteral("a grey wolf"));
    child<QSpinBox>(form, "stepsSpin")->setValue(9);
    GenerationRequest edited = form.request();
    QCOMPARE(edited.prompts.front(), std::string("a grey wolf"));
    QCOMPARE(edited.steps, 9);
    QCOMPARE(edited.sigmas, original.sigmas);
    QCOMPARE(edited.cfgNormalization, original.cfgNormalization);
    QCOMPARE(edited.cfgTruncation, original.cfgTruncation);
    QCOMPARE(edited.maxSequenceLength, original.maxSequenceLength);
    QVERIFY(edited.noise == NoiseSource::Cuda);
    QVERIFY(edited.device == original.device);
    QVERIFY(edited.precision == original.precision);

    QVERIFY(!child<QToolButton>(form, "resetExtrasButton")->isHidden());
    QTest::mouseClick(child<QToolButton>(form, "resetExtrasButton"), Qt::LeftButton);
    QVERIFY(!form.hasRestoredExtras());
    const GenerationRequest reset = form.request();
    const GenerationRequest defaults;
    QVERIFY(reset.sigmas.empty());
    QCOMPARE(reset.cfgNormalization, defaults.cfgNormalization);
    QCOMPARE(reset.cfgTruncation, defaults.cfgTruncation);
    QCOMPARE(reset.maxSequenceLength, defaults.maxSequenceLength);
    QVERIFY(reset.noise == NoiseSource::Cpu);
    QVERIFY(reset.device == defaults.device);
    QVERIFY(reset.precision == defaults.precision);
    // The visible fields stay as they were.
    QCOMPARE(reset.prompts.front(), std::string("a grey wolf"));
    QCOMPARE(reset.seed, original.seed);
    QVERIFY(labelText(form, "extrasNoteLabel").isEmpty());
}

void TestGenerationForm::restoredNoiseSourceIsNoted() {
    GenerationForm form;
    GenerationRequest request;
    request.prompts = {"a lighthouse at dusk"};
    request.noise = NoiseSource::Cuda;
    form.setRequest(request);
    QCOMPARE(labelText(form, "extrasNoteLabel"),
             QStringLiteral("Uses GPU noise like the restored image, not CPU noise from your settings: the same seed "
                            "gives a different image with each."));
    form.setDefaultNoiseSource(NoiseSource::Cuda);
    QVERIFY(labelText(form, "extrasNoteLabel").isEmpty());
    QVERIFY(child<QToolButton>(form, "resetExtrasButton")->isHidden());
    request.noise = NoiseSource::Cpu;
    form.setRequest(request);
    QVERIFY(labelText(form, "extrasNoteLabel").contains(QStringLiteral("Uses CPU noise")));
    QVERIFY(form.request().noise == NoiseSource::Cpu);
}

// The command line allows up to 1000 steps and guidance up to 30 (GenerationRequest::validate); the form's controls
// stop at 100 and 20 and must say so when a restore is cut.
void TestGenerationForm::restoredValuesOutsideTheControlsAreExplained() {
    GenerationForm form;
    GenerationRequest request;
    request.prompts = {"a lighthouse at dusk"};
    request.steps = 150;
    request.guidance = 25.0;
    form.setRequest(request);
    QCOMPARE(form.request().steps, 100);
    QCOMPARE(form.request().guidance, 20.0);
    const QString note = labelText(form, "extrasNoteLabel");
    QVERIFY2(note.contains(QStringLiteral("The restored image used 150 steps; Steps allows at most 100.")),
             qPrintable(note));
    QVERIFY2(note.contains(QStringLiteral("The restored guidance 25 is above the maximum of 20 here.")),
             qPrintable(note));
    QVERIFY(child<QToolButton>(form, "resetExtrasButton")->isHidden());
    // Gone after the next edit.
    child<QSpinBox>(form, "stepsSpin")->setValue(8);
    QVERIFY(labelText(form, "extrasNoteLabel").isEmpty());
}

void TestGenerationForm::setRequestSelectsPresetOrCustom() {
    GenerationForm form;
    GenerationRequest request;
    request.prompts = {"a lighthouse at dusk"};
    request.width = 720;
    request.height = 1680;
    form.setRequest(request);
    QCOMPARE(child<QComboBox>(form, "sizeCombo")->currentIndex(), comboIndexOf(form, 720, 1680));
    request.width = 1008;
    request.height = 1008;
    form.setRequest(request);
    QVERIFY(isCustom(form));
    QCOMPARE(form.request().width, 1008);
    // A request without prompts (a PNG without one) restores an empty prompt and a batch of one.
    request.prompts.clear();
    form.setRequest(request);
    QCOMPARE(child<QSpinBox>(form, "batchSpin")->value(), 1);
    QVERIFY(form.problems().contains(QStringLiteral("Enter a prompt.")));
}

void TestGenerationForm::chinesePromptRoundTrips() {
    GenerationForm form;
    GenerationRequest request;
    request.prompts = {"一只橘猫坐在月光下的屋顶上，水墨画风格，细腻的笔触"};
    request.negativePrompt = "模糊，低质量";
    request.seed = 42;
    form.setRequest(request);
    QCOMPARE(child<QPlainTextEdit>(form, "promptEdit")->toPlainText(),
             QStringLiteral("一只橘猫坐在月光下的屋顶上，水墨画风格，细腻的笔触"));
    QVERIFY(form.isValid());
    compareRequests(form.request(), request);

    // Typed through an input method (which commits whole words) rather than restored.
    GenerationForm typed;
    QInputMethodEvent commit;
    commit.setCommitString(QStringLiteral("雪山下的湖泊"));
    QApplication::sendEvent(child<QPlainTextEdit>(typed, "promptEdit"), &commit);
    QCOMPARE(typed.request().prompts.front(), std::string("雪山下的湖泊"));
}

// What no control shows is still checked with GenerationRequest::validate before Generate is allowed.
void TestGenerationForm::engineCheckCatchesRestoredExtras() {
    GenerationForm form;
    GenerationRequest request;
    request.prompts = {"a lighthouse at dusk"};
    request.cfgTruncation = 2.0;
    form.setRequest(request);
    QVERIFY(!form.isValid());
    QVERIFY(labelText(form, "requestProblemLabel").contains(QStringLiteral("CFG truncation must be between 0 and 1")));
    QVERIFY(!child<QPushButton>(form, "generateButton")->isEnabled());
    form.resetExtras();
    QVERIFY(form.isValid());
    QVERIFY(labelText(form, "requestProblemLabel").isEmpty());
}

void TestGenerationForm::requestEditedOnlyForUserEdits() {
    GenerationForm form;
    QSignalSpy edited(&form, &GenerationForm::requestEdited);
    form.setRequest(fullRequest());
    QCOMPARE(edited.count(), 0);
    QTest::keyClicks(child<QPlainTextEdit>(form, "promptEdit"), QStringLiteral("!"));
    QCOMPARE(edited.count(), 1);
    child<QComboBox>(form, "sizeCombo")->setCurrentIndex(comboIndexOf(form, 1024, 1024));
    QCOMPARE(edited.count(), 2);
}

QTEST_MAIN(TestGenerationForm)
#include "test_generation_form.moc"
