#include "engine_metatypes.h"

#include "job_result.h"

namespace zimage::ui {

void registerEngineMetaTypes() {
    qRegisterMetaType<zimage::GenerationRequest>();
    qRegisterMetaType<zimage::EngineOptions>();
    qRegisterMetaType<zimage::ModelSource>();
    qRegisterMetaType<zimage::MemoryOptions>();
    qRegisterMetaType<zimage::MemoryStats>();
    qRegisterMetaType<zimage::MemoryPlan>();
    qRegisterMetaType<zimage::ErrorCode>();
    qRegisterMetaType<zimage::Stage>();
    qRegisterMetaType<zimage::ui::JobResult>();
}

} // namespace zimage::ui
