#pragma once
// Finding Z-Image-Turbo on this computer for the settings and the first-run page: every default search path
// (zimage::defaultModelSearchPaths: the Hugging Face cache, common ComfyUI folders) checked with zimage::locateModel,
// and a check of a folder the user picked. Both touch the file system: the *Async versions run on Qt's thread pool,
// and the GUI watches their futures.

#include <QFuture>
#include <QList>
#include <QString>

namespace zimage::ui {

struct ModelCandidate {
    // The folder to remember in the settings: the model's root, except in the Hugging Face cache, where it is the
    // repository folder (models--Tongyi-MAI--Z-Image-Turbo), so that a newer snapshot is picked up after an update.
    QString folder;
    QString root;        // where the model's files are (zimage::ModelSource::root)
    QString layout;      // "diffusers" or "comfyui" (zimage::layoutName)
    QString description; // zimage::ModelSource::describe(): the layout and every part's path
    QString searchPath;  // the default search path it was found under
};

// One default search path and what was there.
struct SearchedLocation {
    QString path;
    bool exists = false;
    bool found = false;
    QString problem; // when it exists but holds no complete model: the engine's explanation
};

struct ModelDiscovery {
    QList<ModelCandidate> candidates; // in search order; a model reachable from two paths is listed once
    QList<SearchedLocation> searched;
};

struct ModelFolderCheck {
    QString folder; // as asked
    bool found = false;
    ModelCandidate model; // when found
    QString problem;      // when not: what is missing, where (zimage::EngineError::what())
    QString hint;         // when not: how to get the model (zimage::EngineError::hint())
};

// Blocking; any thread.
ModelDiscovery discoverModels();
// `folder` as locateModel takes it; empty: the default search paths (what auto-detection would load).
ModelFolderCheck checkModelFolder(const QString& folder);

QFuture<ModelDiscovery> discoverModelsAsync();
QFuture<ModelFolderCheck> checkModelFolderAsync(const QString& folder);

// The default search paths, for the first-run page's explanation (no file-system access).
QStringList modelSearchPaths();

} // namespace zimage::ui
