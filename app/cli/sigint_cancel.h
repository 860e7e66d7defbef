#pragma once
// Ctrl+C cancels the running generation (the engine stops between steps) instead of killing the process; the CLI
// then exits with 130. A second Ctrl+C kills it as usual.

#include <zimage/progress.h>

namespace zimage::cli {

class SigintCancel {
public:
    SigintCancel();
    ~SigintCancel();
    SigintCancel(const SigintCancel&) = delete;
    SigintCancel& operator=(const SigintCancel&) = delete;

    CancelToken& token();
};

} // namespace zimage::cli
