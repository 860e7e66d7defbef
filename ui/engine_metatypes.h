#pragma once
// The engine's value types as Qt metatypes: arguments of the queued signals and slots between the GUI thread and the
// engine's thread, and QVariant values of the item models. Declared here once (a type declared twice does not
// compile); registerEngineMetaTypes() also registers their names for string-based connections and Q_ARG.

#include <zimage/engine.h>

#include <QMetaType>

Q_DECLARE_METATYPE(zimage::GenerationRequest)
Q_DECLARE_METATYPE(zimage::EngineOptions)
Q_DECLARE_METATYPE(zimage::ModelSource)
Q_DECLARE_METATYPE(zimage::MemoryOptions)
Q_DECLARE_METATYPE(zimage::MemoryStats)
Q_DECLARE_METATYPE(zimage::MemoryPlan)
Q_DECLARE_METATYPE(zimage::ErrorCode)
Q_DECLARE_METATYPE(zimage::Stage)

namespace zimage::ui {

// Idempotent; EngineWorker's constructor calls it.
void registerEngineMetaTypes();

} // namespace zimage::ui
