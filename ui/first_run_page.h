#pragma once
// What the main window shows when no model is found: that Z-Image-Turbo (about 20 GB) is needed, how to download it
// (the Hugging Face command, found automatically afterwards; or ComfyUI's split files), a folder picker, and "Search
// again", which lists every place searched and what was there. A chosen folder is checked before it is handed on.

#include "model_discovery.h"

#include <QString>
#include <QWidget>

class QLabel;
class QPushButton;

namespace zimage::ui {

class FirstRunPage : public QWidget {
    Q_OBJECT

public:
    // The download command shown (and copied).
    static QString downloadCommand();

    explicit FirstRunPage(QWidget* parent = nullptr);

    // Why the model could not be opened, when it was found but failed (EngineWorker::modelFailed); empty hides it.
    void setProblem(const QString& message);
    bool isBusy() const { return m_busy; }

public Q_SLOTS:
    // Searches the default places again (off the GUI thread); then searchFinished, and modelFound when one is there.
    void searchAgain();
    // Checks `folder` (off the GUI thread): modelFolderChosen when it holds the model, else the problem is shown.
    void chooseFolder(const QString& folder);

Q_SIGNALS:
    // A folder the user picked that holds the model (to store as AppSettings::modelFolder and open).
    void modelFolderChosen(const QString& folder);
    // "Search again" found a model in a default place (auto-detection will now open it).
    void modelFound(const QString& folder);
    void searchFinished(int found);
    void folderRejected(const QString& folder);

private:
    QWidget* buildDownloadSteps();
    void browseForFolder();
    void setBusy(bool busy, const QString& status);
    void showSearch(const ModelDiscovery& discovery);

    QLabel* m_problem;
    QLabel* m_status;
    QPushButton* m_choose = nullptr;
    QPushButton* m_search = nullptr;
    bool m_busy = false;
};

} // namespace zimage::ui
