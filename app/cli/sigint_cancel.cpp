#include "sigint_cancel.h"

#include <csignal>

namespace zimage::cli {
namespace {

CancelToken g_token;

extern "C" void onSigint(int) {
    // CancelToken::cancel is a relaxed atomic store: async-signal-safe. Restore the default so a second Ctrl+C kills.
    g_token.cancel();
    std::signal(SIGINT, SIG_DFL);
}

} // namespace

SigintCancel::SigintCancel() {
    g_token.reset();
    std::signal(SIGINT, onSigint);
}

SigintCancel::~SigintCancel() {
    std::signal(SIGINT, SIG_DFL);
}

CancelToken& SigintCancel::token() {
    return g_token;
}

} // namespace zimage::cli
