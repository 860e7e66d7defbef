#include "model_discovery.h"

#include <zimage/errors.h>
#include <zimage/model_source.h>

#include <QStringList>
#include <QtConcurrent/QtConcurrentRun>

#include <filesystem>
#include <set>
#include <string_view>
#include <system_error>

namespace zimage::ui {
namespace {

namespace fs = std::filesystem;

fs::path toPath(const QString& path) {
    return fs::path(path.toStdU16String());
}

QString fromPath(const fs::path& path) {
    return QString::fromStdU16String(path.u16string());
}

ModelCandidate candidateOf(const ModelSource& source, const fs::path& searchPath) {
    ModelCandidate candidate;
    candidate.root = fromPath(source.root);
    const fs::path snapshots = source.root.parent_path();
    candidate.folder = snapshots.filename() == "snapshots" ? fromPath(snapshots.parent_path()) : candidate.root;
    const std::string_view layout = layoutName(source.layout);
    candidate.layout = QString::fromUtf8(layout.data(), static_cast<qsizetype>(layout.size()));
    candidate.description = QString::fromStdString(source.describe());
    candidate.searchPath = fromPath(searchPath);
    return candidate;
}

// The same model seen through two paths (a symlinked ComfyUI folder) counts once.
QString identityOf(const fs::path& root) {
    std::error_code error;
    const fs::path canonical = fs::weakly_canonical(root, error);
    return fromPath(error ? root : canonical);
}

} // namespace

ModelDiscovery discoverModels() {
    ModelDiscovery discovery;
    std::set<QString> seen;
    for (const fs::path& path : defaultModelSearchPaths()) {
        SearchedLocation location;
        location.path = fromPath(path);
        std::error_code error;
        location.exists = fs::exists(path, error);
        if (location.exists) {
            try {
                const ModelSource source = locateModel(path);
                location.found = true;
                if (seen.insert(identityOf(source.root)).second)
                    discovery.candidates.append(candidateOf(source, path));
            } catch (const std::exception& problem) { // EngineError: what is missing; filesystem_error: unreadable
                location.problem = QString::fromStdString(problem.what());
            }
        }
        discovery.searched.append(location);
    }
    return discovery;
}

ModelFolderCheck checkModelFolder(const QString& folder) {
    ModelFolderCheck check;
    check.folder = folder;
    const fs::path path = toPath(folder.trimmed());
    try {
        const ModelSource source = locateModel(path);
        check.found = true;
        check.model = candidateOf(source, path);
    } catch (const EngineError& error) {
        check.problem = QString::fromStdString(error.what());
        check.hint = QString::fromStdString(error.hint());
    } catch (const std::exception& error) { // a file-system error the engine did not convert (unreadable folder)
        check.problem = QString::fromStdString(error.what());
    }
    return check;
}

QFuture<ModelDiscovery> discoverModelsAsync() {
    return QtConcurrent::run(&discoverModels);
}

QFuture<ModelFolderCheck> checkModelFolderAsync(const QString& folder) {
    return QtConcurrent::run(&checkModelFolder, folder);
}

QStringList modelSearchPaths() {
    QStringList paths;
    for (const fs::path& path : defaultModelSearchPaths())
        paths.append(fromPath(path));
    return paths;
}

} // namespace zimage::ui
