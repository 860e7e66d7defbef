#pragma once
// A trash of the test's own: HOME and XDG_DATA_HOME point into `folder` while it lives (Qt's freedesktop trash is
// $XDG_DATA_HOME/Trash), so tests that delete to the trash leave the user's alone. Restores both when it goes.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>

namespace zimage::test {

class TemporaryTrash {
public:
    explicit TemporaryTrash(const QString& folder)
        : m_folder(folder)
        , m_home(qgetenv("HOME"))
        , m_dataHome(qgetenv("XDG_DATA_HOME")) {
        const QString data = QDir(folder).filePath(QStringLiteral("data"));
        QDir().mkpath(data);
        qputenv("HOME", QFile::encodeName(folder));
        qputenv("XDG_DATA_HOME", QFile::encodeName(data));
    }
    ~TemporaryTrash() {
        qputenv("HOME", m_home);
        if (m_dataHome.isNull())
            qunsetenv("XDG_DATA_HOME");
        else
            qputenv("XDG_DATA_HOME", m_dataHome);
    }
    TemporaryTrash(const TemporaryTrash&) = delete;
    TemporaryTrash& operator=(const TemporaryTrash&) = delete;

    // Empty when a probe file moves to this trash; else why not (the test then skips: some platforms have none).
    QString unavailableReason() const {
        QFile probe(QDir(m_folder).filePath(QStringLiteral("trash-probe.png")));
        if (!probe.open(QIODevice::WriteOnly))
            return probe.errorString();
        probe.close();
        if (probe.moveToTrash())
            return {};
        return QStringLiteral("this platform has no trash here: ") + probe.errorString();
    }

private:
    QString m_folder;
    QByteArray m_home;
    QByteArray m_dataHome;
};

} // namespace zimage::test
