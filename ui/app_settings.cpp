#include "app_settings.h"

#include "app_translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QVariant>

#include <cmath>
#include <string>
#include <string_view>

namespace zimage::ui {
namespace {

// Keys, grouped as the dialog groups them (the INI file then reads as [model], [device], ...).
const QString kModelFolder = QStringLiteral("model/folder");
const QString kDevice = QStringLiteral("device/device");
const QString kPrecision = QStringLiteral("device/precision");
const QString kVramBudget = QStringLiteral("memory/vramBudgetGiB");
const QString kVaeTiling = QStringLiteral("memory/vaeTiling");
const QString kVaeTileSize = QStringLiteral("memory/vaeTileSize");
const QString kNoiseSource = QStringLiteral("images/noiseSource");
const QString kOutputFolder = QStringLiteral("images/outputFolder");
const QString kLanguage = QStringLiteral("interface/language");
const QString kPreviewEnabled = QStringLiteral("interface/previewEnabled");
const QString kFirstRunDone = QStringLiteral("app/firstRunDone");
const QString kWindowGeometry = QStringLiteral("window/geometry");
const QString kWindowState = QStringLiteral("window/state");

QString toQString(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// An enum stored by its engine name; the default when the key is missing or names no value.
template <typename Enum, typename Parse>
Enum readEnum(const QSettings& settings, const QString& key, Enum fallback, Parse parse) {
    const QVariant stored = settings.value(key);
    if (!stored.isValid())
        return fallback;
    Enum value = fallback;
    return parse(stored.toString().trimmed().toStdString(), value) ? value : fallback;
}

// QVariant::toBool() reads any non-empty string but "0" and "false" as true; only true/false/1/0 count here.
bool readBool(const QSettings& settings, const QString& key, bool fallback) {
    const QVariant stored = settings.value(key);
    if (stored.typeId() == QMetaType::Bool)
        return stored.toBool();
    const QString text = stored.toString().trimmed().toLower();
    if (text == QLatin1String("true") || text == QLatin1String("1"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("0"))
        return false;
    return fallback;
}

// The budget MemoryOptions::validate() accepts (0.5 to 4096 GiB), or 0 (automatic).
bool validBudget(double gib) {
    return gib == 0.0 || (std::isfinite(gib) && gib >= 0.5 && gib <= 4096.0);
}

// A tile size MemoryOptions::validate() accepts, or 0 (from the budget).
bool validTileSize(int pixels) {
    return pixels == 0 || (pixels >= kMinVaeTileSize && pixels <= kMaxVaeTileSize && pixels % 64 == 0);
}

} // namespace

Preferences Preferences::defaults() {
    Preferences preferences;
    preferences.outputFolder = AppSettings::defaultOutputFolder();
    return preferences;
}

SettingsChanges changesBetween(const Preferences& before, const Preferences& after) {
    SettingsChanges changes;
    if (before.modelFolder != after.modelFolder || before.device != after.device || before.precision != after.precision)
        changes |= SettingsChange::ModelReload;
    if (before.vramBudgetGiB != after.vramBudgetGiB || before.vaeTiling != after.vaeTiling ||
        before.vaeTileSize != after.vaeTileSize)
        changes |= SettingsChange::MemoryOptions;
    if (before.noiseSource != after.noiseSource)
        changes |= SettingsChange::NoiseSource;
    if (QDir::cleanPath(before.outputFolder) != QDir::cleanPath(after.outputFolder))
        changes |= SettingsChange::OutputFolder;
    if (before.language != after.language)
        changes |= SettingsChange::Language;
    if (before.previewEnabled != after.previewEnabled)
        changes |= SettingsChange::Preview;
    return changes;
}

AppSettings::AppSettings()
    : m_settings(std::make_unique<QSettings>(QStringLiteral("zimage-studio"), QStringLiteral("zimage-studio"))) {}

AppSettings::AppSettings(const QString& iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat)) {}

AppSettings::~AppSettings() = default;

QStringList AppSettings::languages() {
    QStringList codes;
    for (const LanguageChoice& language : availableLanguages())
        codes << language.code;
    return codes;
}

QString AppSettings::defaultOutputFolder() {
    QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (pictures.isEmpty()) // no Pictures folder on this system: the home folder
        pictures = QDir::homePath();
    return QDir(pictures).filePath(QStringLiteral("Z-Image Studio"));
}

QString AppSettings::modelFolder() const {
    return m_settings->value(kModelFolder).toString();
}

void AppSettings::setModelFolder(const QString& folder) {
    m_settings->setValue(kModelFolder, folder);
}

DeviceChoice AppSettings::device() const {
    return readEnum(*m_settings, kDevice, DeviceChoice::Auto,
                    [](std::string_view text, DeviceChoice& out) { return parseDeviceChoice(text, out); });
}

void AppSettings::setDevice(DeviceChoice device) {
    m_settings->setValue(kDevice, toQString(deviceChoiceName(device)));
}

Precision AppSettings::precision() const {
    return readEnum(*m_settings, kPrecision, Precision::Auto,
                    [](std::string_view text, Precision& out) { return parsePrecision(text, out); });
}

void AppSettings::setPrecision(Precision precision) {
    m_settings->setValue(kPrecision, toQString(precisionName(precision)));
}

double AppSettings::vramBudgetGiB() const {
    bool ok = false;
    const double gib = m_settings->value(kVramBudget).toDouble(&ok);
    return ok && validBudget(gib) ? gib : 0.0;
}

void AppSettings::setVramBudgetGiB(double gib) {
    m_settings->setValue(kVramBudget, gib);
}

TilingChoice AppSettings::vaeTiling() const {
    return readEnum(*m_settings, kVaeTiling, TilingChoice::Auto,
                    [](std::string_view text, TilingChoice& out) { return parseTilingChoice(text, out); });
}

void AppSettings::setVaeTiling(TilingChoice tiling) {
    m_settings->setValue(kVaeTiling, toQString(tilingChoiceName(tiling)));
}

int AppSettings::vaeTileSize() const {
    bool ok = false;
    const int pixels = m_settings->value(kVaeTileSize).toInt(&ok);
    return ok && validTileSize(pixels) ? pixels : 0;
}

void AppSettings::setVaeTileSize(int pixels) {
    m_settings->setValue(kVaeTileSize, pixels);
}

NoiseSource AppSettings::noiseSource() const {
    return readEnum(*m_settings, kNoiseSource, NoiseSource::Cpu,
                    [](std::string_view text, NoiseSource& out) { return parseNoiseSource(text, out); });
}

void AppSettings::setNoiseSource(NoiseSource source) {
    m_settings->setValue(kNoiseSource, toQString(noiseSourceName(source)));
}

QString AppSettings::outputFolder() const {
    const QString folder = m_settings->value(kOutputFolder).toString().trimmed();
    return folder.isEmpty() ? defaultOutputFolder() : folder;
}

void AppSettings::setOutputFolder(const QString& folder) {
    m_settings->setValue(kOutputFolder, folder);
}

QString AppSettings::language() const {
    const QString language = m_settings->value(kLanguage).toString();
    return languages().contains(language) ? language : QString();
}

void AppSettings::setLanguage(const QString& language) {
    m_settings->setValue(kLanguage, language);
}

bool AppSettings::previewEnabled() const {
    return readBool(*m_settings, kPreviewEnabled, true);
}

void AppSettings::setPreviewEnabled(bool enabled) {
    m_settings->setValue(kPreviewEnabled, enabled);
}

bool AppSettings::firstRunDone() const {
    return readBool(*m_settings, kFirstRunDone, false);
}

void AppSettings::setFirstRunDone(bool done) {
    m_settings->setValue(kFirstRunDone, done);
}

QByteArray AppSettings::windowGeometry() const {
    return m_settings->value(kWindowGeometry).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray& geometry) {
    m_settings->setValue(kWindowGeometry, geometry);
}

QByteArray AppSettings::windowState() const {
    return m_settings->value(kWindowState).toByteArray();
}

void AppSettings::setWindowState(const QByteArray& state) {
    m_settings->setValue(kWindowState, state);
}

Preferences AppSettings::preferences() const {
    Preferences preferences;
    preferences.modelFolder = modelFolder();
    preferences.device = device();
    preferences.precision = precision();
    preferences.vramBudgetGiB = vramBudgetGiB();
    preferences.vaeTiling = vaeTiling();
    preferences.vaeTileSize = vaeTileSize();
    preferences.noiseSource = noiseSource();
    preferences.outputFolder = outputFolder();
    preferences.language = language();
    preferences.previewEnabled = previewEnabled();
    return preferences;
}

void AppSettings::setPreferences(const Preferences& preferences) {
    setModelFolder(preferences.modelFolder);
    setDevice(preferences.device);
    setPrecision(preferences.precision);
    setVramBudgetGiB(preferences.vramBudgetGiB);
    setVaeTiling(preferences.vaeTiling);
    setVaeTileSize(preferences.vaeTileSize);
    setNoiseSource(preferences.noiseSource);
    setOutputFolder(preferences.outputFolder);
    setLanguage(preferences.language);
    setPreviewEnabled(preferences.previewEnabled);
}

MemoryOptions AppSettings::memoryOptions() const {
    MemoryOptions options;
    if (const double gib = vramBudgetGiB(); gib > 0.0)
        options.vramBudgetGiB = gib;
    options.vaeTiling = vaeTiling();
    // validate() rejects a tile size with tiling off; the size is kept in the file for when tiling is turned back on.
    options.vaeTileSize = options.vaeTiling == TilingChoice::Off ? 0 : vaeTileSize();
    return options;
}

EngineOptions AppSettings::engineOptions() const {
    EngineOptions options;
    options.device = device();
    options.precision = precision();
    options.memory = memoryOptions();
    return options;
}

bool AppSettings::sync(QString* error) {
    m_settings->sync();
    if (m_settings->status() == QSettings::NoError)
        return true;
    if (error) {
        *error = m_settings->status() == QSettings::AccessError
                     ? QCoreApplication::translate("zimage::ui::AppSettings",
                                                   "The settings could not be saved to “%1”: the file "
                                                   "cannot be written.")
                           .arg(QDir::toNativeSeparators(fileName()))
                     : QCoreApplication::translate("zimage::ui::AppSettings",
                                                   "The settings file “%1” is damaged; it was not changed.")
                           .arg(QDir::toNativeSeparators(fileName()));
    }
    return false;
}

QString AppSettings::fileName() const {
    return m_settings->fileName();
}

} // namespace zimage::ui
