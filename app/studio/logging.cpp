#include "logging.h"

#include <QDir>
#include <QFile>
#include <QtGlobal>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

namespace zimage::studio {

namespace {

// Enough for days of use with a few lines per generation; three files keep the previous sessions for a bug report.
constexpr std::size_t kLogFileBytes = 5 * 1024 * 1024;
constexpr std::size_t kLogFiles = 3;

spdlog::level::level_enum levelOf(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return spdlog::level::debug;
    case QtInfoMsg:
        return spdlog::level::info;
    case QtWarningMsg:
        return spdlog::level::warn;
    case QtCriticalMsg:
        return spdlog::level::err;
    case QtFatalMsg:
        return spdlog::level::critical;
    }
    return spdlog::level::info;
}

void forwardQtMessage(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    const auto logger = spdlog::get("ui");
    if (!logger)
        return;
    const QByteArray text = message.toUtf8();
    if (context.category && qstrcmp(context.category, "default") != 0)
        logger->log(levelOf(type), "[{}] {}", context.category, text.constData());
    else
        logger->log(levelOf(type), "{}", text.constData());
    // Qt aborts after a fatal message; what led to it must be on disk by then.
    if (type == QtFatalMsg)
        logger->flush();
}

} // namespace

QString setUpLogging(const QString& dataFolder) {
    std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
    const QString path = QDir(dataFolder).filePath(QStringLiteral("zimage-studio.log"));
    std::string fileProblem;
    if (!QDir().mkpath(dataFolder)) {
        fileProblem = "the folder cannot be created";
    } else {
        try {
            sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                QFile::encodeName(path).toStdString(), kLogFileBytes, kLogFiles));
        } catch (const spdlog::spdlog_ex& error) {
            fileProblem = error.what();
        }
    }
    for (const char* name : {"engine", "io", "ui", "app"})
        spdlog::register_logger(std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end()));
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("zimage", sinks.begin(), sinks.end()));
    // Warnings and errors reach the file at once; a crash must not lose the lines that explain it.
    spdlog::flush_on(spdlog::level::warn);
    qInstallMessageHandler(forwardQtMessage);
    if (!fileProblem.empty()) {
        spdlog::get("app")->warn("no log file in {}: {}", QFile::encodeName(dataFolder).toStdString(), fileProblem);
        return {};
    }
    return path;
}

} // namespace zimage::studio
