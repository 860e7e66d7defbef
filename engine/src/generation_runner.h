#pragma once
// One generation as the Engine runs it: plan the memory for the request, place the weights, run, and after running
// out of memory free everything and retry once with a cheaper plan. Separate from the Engine so that the tests can
// drive it with injected faults (LoadedModels::faultInjector).

#include "pipeline.h"
#include "runtime/request_planning.h"

#include <zimage/memory_plan.h>
#include <zimage/progress.h>
#include <zimage/request.h>
#include <zimage/result.h>

namespace zimage {

runtime::ModelShapes modelShapes(const LoadedModels& models);
runtime::PlannerInput plannerInputFor(const LoadedModels& models, const GenerationRequest& request,
                                      const MemoryOptions& options);

// `plan` receives the plan in use (also when this throws, for the log). Throws EngineError; an out-of-memory error
// after the retry says how much the cheapest plan needed and how much the device had.
GenerationResult generateWithRecovery(LoadedModels& models, const GenerationRequest& request,
                                      const MemoryOptions& options, Observer& observer, CancelToken& cancel,
                                      MemoryPlan& plan);

// Waits for the device, returns the allocator's cached blocks and resets the peak figures: after every job.
void clearDeviceMemory(const LoadedModels& models);

} // namespace zimage
